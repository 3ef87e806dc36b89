"""``python -m azshell_kernel -f {connection_file}``: start the kernel."""

from __future__ import annotations

from ipykernel.kernelapp import IPKernelApp

from azshell_kernel.kernel import AzShellKernel

IPKernelApp.launch_instance(kernel_class=AzShellKernel)
