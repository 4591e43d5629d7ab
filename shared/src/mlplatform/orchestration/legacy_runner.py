"""Runs an adopted training script (``ModelSpec.legacy``) through Dagster Pipes: as a process of
the legacy project's own interpreter (``PipesSubprocessClient``; local runs and tests) or as a
container of its image (``PipesDockerClient``; the container deployment). The model asset calls
the ``legacy_runner`` resource and does not know which.

Both clients add what the stock ones lack for a script that knows nothing of Dagster: its
stdout and stderr go to the run's log line by line, the last lines are kept for the error
message, a run past ``LegacyTraining.timeout_seconds`` is stopped, and nothing is left running
(the process group is killed, the container removed) whatever happens.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg

from mlplatform.spec import LegacyTraining, ProjectSpec

RUNNER_ENV = "MLPLATFORM_LEGACY_RUNNER"
WORK_DIR_ENV = "MLPLATFORM_LEGACY_WORK_DIR"
IMAGE_ENV = "MLPLATFORM_LEGACY_IMAGE"
TAIL_LINES = 20
# Variables the script may need from the run's environment; nothing else (no secrets) is passed.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


class LegacyScriptFailed(dg.Failure):
    """The adopted script exited non-zero or ran past its timeout."""


@dataclass
class ScriptOutput:
    """The script's output lines as they arrive: forwarded to the run's log, the last ones kept."""

    label: str
    lines: queue.Queue[tuple[str, str]] = field(default_factory=queue.Queue)
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    stderr_tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))

    def follow(self, stream: Iterable[str | bytes], name: str) -> None:
        """Read ``stream`` to its end (in a thread); lines are logged by :meth:`drain`."""
        for line in stream:
            text = line.decode(errors="replace") if isinstance(line, bytes) else line
            self.lines.put((name, text.rstrip("\n")))

    def drain(self, log: Any, handle: Callable[[str], bool] | None = None) -> None:
        """Log every line read so far; ``handle`` consumes Pipes messages (True: not output)."""
        while True:
            try:
                name, text = self.lines.get_nowait()
            except queue.Empty:
                return
            if handle is not None and handle(text):
                continue
            self.tail.append(text)
            if name == "stderr":
                self.stderr_tail.append(text)
            log.info(f"[{self.label} {name}] {text}")

    def last_lines(self) -> str:
        lines = self.stderr_tail or self.tail
        kind = "stderr" if self.stderr_tail else "output"
        return f"last {kind} lines:\n" + "\n".join(lines) if lines else "it wrote no output"


def check_exit(code: int | None, label: str, timeout: float, output: ScriptOutput) -> None:
    """Fail on a script stopped at its timeout (``code`` None) or exiting non-zero, with its
    last output lines in the message."""
    if code is None:
        what = f"ran past its timeout of {timeout:g} s and was stopped"
    elif code != 0:
        what = f"exited with code {code}"
    else:
        return
    raise LegacyScriptFailed(description=f"{label} {what}; {output.last_lines()}")


class LegacySubprocessClient(dg.PipesSubprocessClient):
    """``PipesSubprocessClient`` with captured output, a timeout and its process group killed."""

    def __init__(self, label: str, timeout_seconds: float, env: Mapping[str, str]) -> None:
        super().__init__(env=env, forward_stdio=False)
        self.label, self.timeout_seconds = label, timeout_seconds
        self.output = ScriptOutput(label)

    def run(  # type: ignore[override]
        self,
        *,
        context: dg.AssetExecutionContext,
        command: Sequence[str],
        cwd: str | None = None,
        extras: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> dg.PipesClientCompletedInvocation:
        with dg.open_pipes_session(
            context=context,
            context_injector=self.context_injector,
            message_reader=self.message_reader,
            extras=extras,
        ) as session:
            process = subprocess.Popen(
                command,
                cwd=cwd or self.cwd,
                env={**self.env, **(env or {}), **session.get_bootstrap_env_vars()},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            code = self._supervise(context, process)
        check_exit(code, self.label, self.timeout_seconds, self.output)
        return dg.PipesClientCompletedInvocation(session)

    def _supervise(
        self, context: dg.AssetExecutionContext, process: subprocess.Popen
    ) -> int | None:
        """The exit code, or None when stopped at the timeout; the process group never outlives
        this call (also when the run is cancelled)."""
        readers = [
            threading.Thread(target=self.output.follow, args=(stream, name), daemon=True)
            for stream, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))
        ]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + self.timeout_seconds
        try:
            while process.poll() is None and time.monotonic() < deadline:
                self.output.drain(context.log)
                time.sleep(0.1)
        finally:
            timed_out = process.poll() is None
            _kill_group(process)
            for reader in readers:
                reader.join(timeout=5)
            self.output.drain(context.log)
        return None if timed_out else process.returncode


def _kill_group(process: subprocess.Popen) -> None:
    """SIGTERM to the script's process group if it still runs, then SIGKILL to whatever is left
    of the group (children the script started and left behind included)."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    _signal_group(process, signal.SIGKILL)
    process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


class LegacyRunner(dg.ConfigurableResource):
    """Where an adopted training script runs. ``mode``: ``subprocess`` (the legacy project's own
    interpreter, ``LegacyTraining.python``) or ``docker`` (its ``image``, through the Docker
    engine); empty: ``$MLPLATFORM_LEGACY_RUNNER``, else ``subprocess``. ``work_dir`` holds each
    run's input and output (empty: ``$MLPLATFORM_LEGACY_WORK_DIR``, else a temp dir); in docker
    mode it must be on ``docker_volume``, which the script's container mounts at the same
    ``docker_volume_path`` as the run's container does, so paths are the same on both sides.
    ``image`` (empty: ``$MLPLATFORM_LEGACY_IMAGE``, else ``LegacyTraining.image``) names the
    image by the deployment's own prefix and tag.

    Example: ``LegacyRunner(mode="docker", work_dir="/data/legacy")``
    """

    mode: str = ""
    work_dir: str = ""
    image: str = ""
    docker_volume: str = "mlplatform-data"
    docker_volume_path: str = "/data"

    def resolved_mode(self) -> str:
        mode = self.mode or os.environ.get(RUNNER_ENV, "") or "subprocess"
        if mode not in ("subprocess", "docker"):
            raise ValueError(f"legacy runner mode {mode!r} must be 'subprocess' or 'docker'")
        return mode

    def resolved_image(self, legacy: LegacyTraining) -> str:
        return self.image or os.environ.get(IMAGE_ENV, "") or legacy.image

    @contextmanager
    def run_dir(self, context: dg.AssetExecutionContext) -> Iterator[Path]:
        """A fresh directory for one script run, removed afterwards."""
        root = Path(self.work_dir or os.environ.get(WORK_DIR_ENV, "") or tempfile.gettempdir())
        path = root / f"legacy-{context.run.run_id}-{uuid.uuid4().hex[:8]}"
        (path / "output").mkdir(parents=True)
        # The script may run as another user (its image's): it reads and writes here.
        for folder in (path, path / "output"):
            folder.chmod(0o777)
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def run_script(
        self,
        context: dg.AssetExecutionContext,
        spec: ProjectSpec,
        arguments: list[str],
    ) -> tuple[dict[str, Any], ScriptOutput]:
        """Run the script to its end: what it reported through Pipes (metadata values), and its
        output (for messages about what it left behind)."""
        legacy = spec.model.legacy
        assert legacy is not None
        label = f"{spec.name} {legacy.script}"
        if self.resolved_mode() == "docker":
            from mlplatform.orchestration.legacy_docker import LegacyDockerClient, run_in_container

            client: Any = LegacyDockerClient(label, legacy.timeout_seconds)
            invocation = run_in_container(client, context, legacy, arguments, self)
        else:
            env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
            client = LegacySubprocessClient(label, legacy.timeout_seconds, env)
            command = [legacy.python, legacy.script, *arguments]
            invocation = client.run(context=context, command=command, cwd=legacy.project_dir)
        return reported_metadata(invocation), client.output


def reported_metadata(invocation: dg.PipesClientCompletedInvocation) -> dict[str, Any]:
    """The metadata of the materialization the script reported itself (empty if none)."""
    reported: dict[str, Any] = {}
    for result in invocation.get_results(implicit_materializations=False):
        for key, value in (getattr(result, "metadata", None) or {}).items():
            reported[key] = getattr(value, "value", value)
    return reported
