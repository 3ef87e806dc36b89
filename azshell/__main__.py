from azshell.cli import main

raise SystemExit(main())
