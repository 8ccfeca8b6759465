"""A JupyterLab server for the end-to-end tests: the course environment's ``jupyter lab`` on a free loopback port,
with a random token and its own settings, started and always stopped by the tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

#: Settings the tests give JupyterLab (in a user-settings folder of their own, so a developer's settings neither
#: change the test nor are changed by it): every cell stays in the page, so the checks see all of them at once,
#: and JupyterLab asks no news site anything.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}
START_TIMEOUT = 90  # seconds for the server to answer; a cold start on a busy 2-core machine takes ~10 s


def free_port() -> int:
    """A loopback port nothing listens on now (the server is told not to wander off it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    """The server did not start; the message is one line that names the log."""


class JupyterLab:
    """``jupyter lab`` serving ``root``; its output goes to ``log``. Use as a context manager."""

    def __init__(self, root: Path, log: Path, home: Path):
        self.root, self.log, self.home = root, log, home
        self.token = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _settings(self) -> Path:
        folder = self.home / "user-settings"
        for name, values in SETTINGS.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(json.dumps(values), encoding="utf-8")
        return folder

    def _launch(self, log_file) -> None:
        self.port = free_port()
        command = [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.user_settings_dir={self._settings()}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=",
            "--ServerApp.open_browser=False",
        ]
        if os.geteuid() == 0:  # CI and these machines run as root, which jupyter refuses unless told
            command.append("--allow-root")
        env = dict(
            os.environ,
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
        )
        log_file.write(f"$ {' '.join(command).replace(self.token, '<token>')}\n")
        log_file.flush()
        # its own process group: stop() ends the server and the kernels it started, and nothing else
        self.process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=self.root, start_new_session=True
        )

    def _port_taken(self) -> bool:
        text = self.log.read_text(errors="replace")
        return "is already in use" in text or "Address already in use" in text

    def start(self) -> JupyterLab:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log_file:
            for attempt in range(3):  # the free port can be taken between finding it and binding it: try another
                self._launch(log_file)
                deadline = time.monotonic() + START_TIMEOUT
                while time.monotonic() < deadline:
                    if self.process.poll() is not None:
                        break
                    try:
                        self.api("status")
                        return self
                    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                        time.sleep(0.5)
                else:
                    self.stop()
                    raise ServerError(
                        f"JupyterLab did not answer on {self.url} within {START_TIMEOUT} s: see its log, {self.log}"
                    )
                if not self._port_taken() or attempt == 2:
                    raise ServerError(
                        f"JupyterLab exited with status {self.process.returncode} before it "
                        f"answered: see its log, {self.log}"
                    )
                log_file.write(f"port {self.port} was taken: trying another\n")
                log_file.flush()
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """End the server and its kernels: SIGTERM to its process group, then SIGKILL after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> JupyterLab:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
