"""The APIC-EM notebook's login module, pointed at the pathtrace server under test.

`from login import login` / `apic = login()` (the notebook's In [6]) gets a uniq
NbClientManager that has logged in with POST /api/v1/ticket. uniq only speaks https and never
verifies certificates, so the server's HTTPS listener (self-signed certificate) is used as it
is: no patch. The port comes from the harness (run.sh) in PATHTRACE_HTTPS_PORT.
"""

import os

from uniq.apis.nb.client_manager import NbClientManager

PORT = os.environ["PATHTRACE_HTTPS_PORT"]


def login():
    return NbClientManager(server=f"127.0.0.1:{PORT}",
                           username="devnetuser",
                           password="Cisco123!",
                           connect=True)
