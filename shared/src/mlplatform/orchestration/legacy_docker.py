"""The container path of an adopted training script: ``PipesDockerClient`` (dagster-docker) with
the script's output in the run's log, a timeout, and the container always removed.

The script's container gets no network, runs as the image's own user, and mounts only the data
volume, at the same path as the run's container, so the input and output paths the platform
passes mean the same on both sides. Only runs of a location whose spec adopts a script get here,
and only they need the Docker engine (see docker/README.md, "Adopted scripts and the Docker
socket").
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import dagster as dg
from dagster._core.pipes.utils import extract_message_or_forward_to_file
from dagster_docker import PipesDockerClient
from dagster_docker.pipes import PipesDockerLogsMessageReader

from mlplatform.orchestration.legacy_runner import ScriptOutput, check_exit
from mlplatform.spec import LegacyTraining

if TYPE_CHECKING:
    from mlplatform.orchestration.legacy_runner import LegacyRunner


class LegacyDockerClient(PipesDockerClient):
    """``PipesDockerClient`` whose container is watched line by line, stopped at a timeout and
    removed at the end (the stock client only stops it)."""

    def __init__(self, label: str, timeout_seconds: float) -> None:
        super().__init__(message_reader=PipesDockerLogsMessageReader())
        self.label, self.timeout_seconds = label, timeout_seconds
        self.output = ScriptOutput(label)

    def run(  # type: ignore[override]
        self,
        *,
        context: dg.AssetExecutionContext,
        image: str,
        command: Sequence[str],
        container_kwargs: Mapping[str, Any],
        extras: Mapping[str, Any] | None = None,
    ) -> dg.PipesClientCompletedInvocation:
        import docker

        with dg.open_pipes_session(
            context=context,
            context_injector=self.context_injector,
            message_reader=self.message_reader,
            extras=extras,
        ) as session:
            container = self._create_container(
                client=docker.from_env(),
                image=image,
                command=list(command),
                env={},
                container_kwargs=container_kwargs,
                open_pipes_session_env=session.get_bootstrap_env_vars(),
            )
            try:
                code = self._supervise(context, container, session.message_handler)
            finally:
                container.remove(force=True)
        check_exit(code, self.label, self.timeout_seconds, self.output)
        return dg.PipesClientCompletedInvocation(session)

    def _supervise(
        self, context: dg.AssetExecutionContext, container: Any, handler: Any
    ) -> int | None:
        """The container's exit code, or None when killed at the timeout."""
        container.start()
        stream = container.logs(stdout=True, stderr=True, stream=True, follow=True)
        reader = threading.Thread(target=self.output.follow, args=(_lines(stream), "output"))
        reader.daemon = True
        reader.start()

        def handle(line: str) -> bool:
            sink = io.StringIO()
            extract_message_or_forward_to_file(handler, line, sink)
            return not sink.getvalue()

        deadline = time.monotonic() + self.timeout_seconds
        try:
            while _running(container) and time.monotonic() < deadline:
                self.output.drain(context.log, handle)
                time.sleep(0.2)
        finally:
            timed_out = _running(container)
            if timed_out:
                container.kill()
            reader.join(timeout=10)
            self.output.drain(context.log, handle)
        return None if timed_out else int(container.wait()["StatusCode"])


def _running(container: Any) -> bool:
    container.reload()
    return container.status in ("created", "running")


def _lines(chunks: Any) -> Any:
    """Docker's log stream in whole lines (chunks may split or join them)."""
    pending = b""
    for chunk in chunks:
        pending += chunk if isinstance(chunk, bytes) else chunk.encode()
        *whole, pending = pending.split(b"\n")
        yield from whole
    if pending:
        yield pending


def run_in_container(
    client: LegacyDockerClient,
    context: dg.AssetExecutionContext,
    legacy: LegacyTraining,
    arguments: list[str],
    runner: LegacyRunner,
) -> dg.PipesClientCompletedInvocation:
    """The script in a new container of ``legacy.image``, on the data volume, without network."""
    return client.run(
        context=context,
        image=runner.resolved_image(legacy),
        command=[*legacy.container_command, *arguments],
        container_kwargs={
            "volumes": {runner.docker_volume: {"bind": runner.docker_volume_path, "mode": "rw"}},
            "network_disabled": True,
            "labels": {"mlplatform/run_id": context.run.run_id},
        },
    )
