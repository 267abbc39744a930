"""Named role accounts for tests, drawn from the provider's funded test accounts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ROLE_NAMES = (
    "deployer", "admin", "governance", "guardian", "treasury", "arbiter",
    "alice", "bob", "carol", "dave", "mallory", "relayer",
)


@dataclass(frozen=True)
class Roles:
    deployer: Any
    admin: Any
    governance: Any
    guardian: Any
    treasury: Any
    arbiter: Any
    alice: Any
    bob: Any
    carol: Any
    dave: Any
    mallory: Any
    relayer: Any

    @classmethod
    def from_accounts(cls, test_accounts: Any) -> "Roles":
        return cls(*(test_accounts[i] for i in range(len(ROLE_NAMES))))
