"""`paylink users role PHONE operator|user`: who may use the operator routes of the REST API.

Operators are made here, by someone with the database in hand, never over the API. The role is
read on every API request, so the change takes effect at the user's next call, on the access
token they already hold. Running it again changes nothing and says so.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from gateway.cli.common import UsageError, database, out, phone_arg, run
from gateway.clock import Clock
from gateway.logs import mask_msisdn
from gateway.settings import Settings
from gateway.store import users

log = logging.getLogger(__name__)

ROLES = ("operator", "user")


def register(commands: Any) -> None:
    group = commands.add_parser("users", help="user accounts: roles")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    role = actions.add_parser("role", help="make a user an operator, or a plain user again")
    role.add_argument("phone", type=phone_arg, metavar="PHONE")
    role.add_argument("role", choices=ROLES, metavar="operator|user")
    role.set_defaults(handler=run_role)


def run_role(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    return run(_role(settings, args, clock))


async def _role(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with database(settings) as db, db() as session:
        user = await users.find_by_phone(session, args.phone)
        if user is None:
            raise UsageError(
                f"no user with phone {args.phone}: they sign up first (dial the USSD code,"
                " or register through the REST API)"
            )
        changed = await users.set_role(session, user.id, args.role, clock.now())
        await session.commit()
    article = "an" if args.role == "operator" else "a"
    if not changed:
        out(f"{args.phone} is already {article} {args.role}; nothing changed")
        return 0
    log.info(
        "audit: user %s (%s) role %s -> %s by the CLI",
        user.id,
        mask_msisdn(args.phone),
        user.role,
        args.role,
    )
    out(f"{args.phone} is now {article} {args.role} (was {user.role})")
    return 0
