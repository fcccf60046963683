"""uniq with a wrong password: POST /api/v1/ticket must answer 401 with a JSON error body
(contract §3.1, §2.3), so NbClientManager(connect=True) raises requests.exceptions.HTTPError."""

import json
import logging
import os
import sys

import requests
from uniq.apis.nb.client_manager import NbClientManager

# uniq logs the HTTPError with a traceback before raising it; that is expected here.
logging.getLogger("uniq").setLevel(logging.CRITICAL)

PORT = os.environ["PATHTRACE_HTTPS_PORT"]

try:
    NbClientManager(server=f"127.0.0.1:{PORT}", username="devnetuser",
                    password="wrong-password", connect=True)
except requests.exceptions.HTTPError as e:
    status = e.response.status_code
    if status != 401:
        sys.exit(f"wrong password: expected HTTP 401, got {status}: {e.response.text}")
    try:
        body = e.response.json()
    except ValueError:
        sys.exit(f"wrong password: the 401 body is not JSON: {e.response.text!r}")
    if not isinstance(body, dict) or not isinstance(body.get("response"), dict):
        sys.exit(f"wrong password: the 401 body is not {{'response': {{...}}}}: {json.dumps(body)}")
    print("wrong password -> HTTPError 401", json.dumps(body))
else:
    sys.exit("wrong password: uniq logged in anyway")
