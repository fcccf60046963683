"""The DNA Center notebook's login module, pointed at the pathtrace server under test.

The notebook (shared/seeds/dnac-async-pathtrace.txt) drives uniq, but its login module
authenticates at POST /api/system/v1/auth/token with HTTP Basic and prints every URL it calls
(the seed prints https://sandboxdnac.cisco.com/api/system/v1/auth/token, then
.../api/v1/flow-analysis, .../api/v1/task/<id>, .../api/v1/flow-analysis/<id>).
Written out per contract §9.4: a NbClientManager subclass whose authenticate() fetches the
token and sets it as X-Auth-Token on every call, and whose call_api prints each URL.
The server is https://127.0.0.1:PATHTRACE_HTTPS_PORT (self-signed; nothing is verified).
"""

import os

import requests
from requests.auth import HTTPBasicAuth
from uniq.apis.nb.client_manager import NbClientManager

requests.packages.urllib3.disable_warnings()

PORT = os.environ["PATHTRACE_HTTPS_PORT"]


class DnacClientManager(NbClientManager):
    """uniq's client manager, logging in the DNA Center way."""

    def authenticate(self):
        url = "https://{}/api/system/v1/auth/token".format(self.server)
        print(url)
        response = requests.post(url, auth=HTTPBasicAuth(self.username, self.password),
                                 headers={"content-type": "application/json"}, verify=False)
        response.raise_for_status()
        token = response.json()["Token"]
        self.common_headers = {"X-Auth-Token": token}
        self.cas_ticket = token

    def call_api(self, method, resource_path, *args, **kwargs):
        print(self.base_url + resource_path)
        return super(DnacClientManager, self).call_api(method, resource_path, *args, **kwargs)


def login():
    return DnacClientManager(server="127.0.0.1:{}".format(PORT),
                             username="devnetuser",
                             password="Cisco123!",
                             connect=True)
