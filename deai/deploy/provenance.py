"""Deploying the ProvenanceRegistry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deai.deploy.contracts import deploy

CONTRACT = "ProvenanceRegistry"


@dataclass(frozen=True)
class ProvenanceParams:
    """Constructor parameters: commit-reveal window in seconds."""

    min_commit_age: int = 60
    max_commit_age: int = 86_400

    def constructor_args(self) -> tuple[int, int]:
        return (self.min_commit_age, self.max_commit_age)


def deploy_provenance_registry(sender: Any, params: ProvenanceParams = ProvenanceParams()) -> Any:
    return deploy(CONTRACT, sender, *params.constructor_args())
