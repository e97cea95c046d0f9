"""Stage 3: UNIX host configurations and Windows-side settings, with provenance.

The values (:mod:`evtdiag.hosts.model`) carry the file and line they came from
(:class:`evtdiag.model.Place`); secrets (ENCRYPT_KEY values, password hashes) are reduced
while parsing and never stored. The public entry points are :func:`load_inventory` (one
folder or collector archive per UNIX host) and :func:`load_windows` (group member lists
and ``net accounts``).
"""

from evtdiag.hosts.accounts import parse_aix_security_passwd, parse_passwd, parse_shadow
from evtdiag.hosts.collector import collect_script
from evtdiag.hosts.inventory import Inventory, load_host, load_inventory
from evtdiag.hosts.policy import parse_aix_security_user, parse_login_defs, parse_pwquality
from evtdiag.hosts.ssoconf import key_info, parse_sso_conf
from evtdiag.hosts.windows import load_windows, parse_group_members, parse_net_accounts

__all__ = [
    "Inventory",
    "collect_script",
    "key_info",
    "load_host",
    "load_inventory",
    "load_windows",
    "parse_aix_security_passwd",
    "parse_aix_security_user",
    "parse_group_members",
    "parse_login_defs",
    "parse_net_accounts",
    "parse_passwd",
    "parse_pwquality",
    "parse_shadow",
    "parse_sso_conf",
]
