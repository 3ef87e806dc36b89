"""The Azure portal of ``azshell serve``: server-rendered HTML pages at ``/`` on the server's own port.

Signed in as the tenant's admin user, it lists subscriptions, resource groups and resources, and has the blades
the tutorials walk through (Identity, Access control (IAM) with Check access, Key Vault access policies and
secrets, Data Lake Data Explorer → Access, Storage containers). It is one more client of the planes: every page
reads and every form writes through ARM, Graph and the data planes over the in-process HTTP client with the
admin's tokens (``client.py``), so RBAC decides, events are logged and the shell sees each change at once.

    portal = Portal(planes)               # the server's Planes
    response = portal(request)            # a plane Request for the server's own host → an HTML Response

URLs are the resource IDs, as the real portal's are: ``/`` (subscriptions), ``/subscriptions/{id}``,
``/subscriptions/{id}/resourceGroups/{rg}``, ``{resource id}``; a blade is ``?blade=identity|iam|
accesspolicies|secrets|explorer|access|containers`` (and, on a VM, the 2017 ``configuration`` with its "Managed
service identity" Yes/No — identity plus the MSI VM extension — and ``extensions``). Forms POST to the page they are on and redirect back
(303) with a message; a plane's refusal shows as a banner with Azure's code and message, never a traceback.
POSTs whose ``Origin`` is not the portal itself are refused (403), and so is any request whose ``Host`` is a
name other than loopback (DNS rebinding).
"""

from __future__ import annotations

from azshell.portal.pages import Portal

__all__ = ["Portal"]
