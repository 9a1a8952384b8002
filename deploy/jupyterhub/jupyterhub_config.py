# JupyterHub in front of several participant servers of one workshop (see deploy/README.md).
#
# JupyterHub gives the partnership one public address with TLS; each participant server
# is an externally managed JupyterHub service, reached at /services/<name>/. Its proxy
# (configurable-http-proxy) forwards the whole path, websockets included, so every
# request of a page reaches the server its link names: the routing is sticky by path.
# Participants need no JupyterHub account: the kit's own token in the join link lets
# them in, as it does without JupyterHub. Give each half of the room the join link (or
# QR code) of one server.
#
# On each participant machine (same workshop, same database, same token):
#   COPRODUCTION_DATABASE_URL=... COPRODUCTION_TOKEN=... coproduction serve \
#       --workshop leeds-2026 --host 10.0.0.11 --port 8866 --expect 40 \
#       --base-url /services/coproduction-a/ \
#       --public-url https://workshops.example.org/services/coproduction-a
#
#   jupyterhub -f /etc/jupyterhub/jupyterhub_config.py

c = get_config()  # noqa: F821 - JupyterHub provides it

# CHANGE: the public name and its certificate (JupyterHub serves TLS itself here; behind
# nginx, leave these out and bind to 127.0.0.1 instead).
c.JupyterHub.bind_url = "https://workshops.example.org:443"
c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/workshops.example.org/fullchain.pem"
c.JupyterHub.ssl_key = "/etc/letsencrypt/live/workshops.example.org/privkey.pem"

# CHANGE: one service per participant server; the name is the path it serves under.
c.JupyterHub.services = [
    {"name": "coproduction-a", "url": "http://10.0.0.11:8866", "display": False},
    {"name": "coproduction-b", "url": "http://10.0.0.12:8866", "display": False},
]

# The hub itself keeps its state apart from the workshop's data (it holds no
# participant data: the kit's pages never log in to the hub).
c.JupyterHub.cookie_secret_file = "/srv/jupyterhub/jupyterhub_cookie_secret"
c.JupyterHub.db_url = "sqlite:////srv/jupyterhub/jupyterhub.sqlite"

# Nobody needs a notebook server of their own on this hub.
c.JupyterHub.allow_named_servers = False
c.Authenticator.allowed_users = set()
c.Authenticator.admin_users = set()

# The facilitator's console is not a service: it stays on 127.0.0.1 of the facilitator's
# machine (reach it there, or through `ssh -L 8867:127.0.0.1:8867 that-machine`).
