"""What a container of our images runs, read from its Dockerfile: the final stage's ENV, CMD,
HEALTHCHECK and USER, with build arguments substituted. The deployment tests start the same
commands with the same environment as processes, since there is no Docker engine to run them.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


@dataclass(frozen=True)
class ImageRuntime:
    env: dict[str, str]
    cmd: list[str]
    healthcheck: list[str]
    user: str


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined: list[str] = []
    pending = ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    return [
        (op.upper(), rest.strip()) for op, _, rest in (s.strip().partition(" ") for s in joined)
    ]


def _expand(value: str, known: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: known.get(m.group(1) or m.group(2), m.group(0)), value)


def image_runtime(dockerfile: Path, build_args: Mapping[str, str]) -> ImageRuntime:
    """The final stage's runtime settings for an image built with ``build_args``."""
    steps = instructions(dockerfile)
    final = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    cmd: list[str] = []
    healthcheck: list[str] = []
    user = "root"
    for op, rest in steps[final + 1 :]:
        if op == "ARG":
            name, _, default = rest.partition("=")
            args[name] = build_args.get(name, _expand(default, args))
        elif op == "ENV":
            known = {**args, **env}
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = _expand(value, known)
        elif op == "CMD":
            cmd = json.loads(rest)
        elif op == "HEALTHCHECK":
            healthcheck = json.loads(rest.split(" CMD ", 1)[1])
        elif op == "USER":
            user = rest
    return ImageRuntime(env=env, cmd=cmd, healthcheck=healthcheck, user=user)
