"""The emulated Azure services, one package each; ``registry.py`` lists them (see ``base.py`` for the files
every package has)."""
