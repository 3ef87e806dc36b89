"""Controls no cloud has: the tenant clock, fault injection, checkpoints, export/import and reproducible ids.

Every control lives in the state file, so the REPL, the kernel and ``azshell serve`` share it.
"""
