"""Shared fixtures: each test gets its own `platform sim serve` on loopback."""
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_BIN = os.environ.get("PLATFORM_BIN", str(ROOT / ".build" / "debug" / "platform"))
SHARED_DIR = Path(os.environ.get("SHARED_DIR", str(ROOT.parent / "shared")))


class Sim:
    def __init__(self, args=()):
        self.dir = tempfile.mkdtemp(prefix="kubesim-")
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self.args = list(args)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [PLATFORM_BIN, "sim", "serve", "--port", "0", "--kubeconfig-out", self.kubeconfig, *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith(("kubesim: serving on http://127.0.0.1:", "kubesim: serving on https://127.0.0.1:")), line + self.proc.stderr.read()
        self.url = line.split()[-1]
        deadline = time.time() + 10
        while not os.path.exists(self.kubeconfig):
            assert time.time() < deadline, "kubeconfig not written"
            time.sleep(0.05)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise
        return self.proc.returncode if self.proc else None

    def kubectl(self, *args, check=True, input=None, timeout=60):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig)
        r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, input=input, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r


@pytest.fixture
def sim():
    # The bare API server (no simulated workloads); GPU-world tests start their own.
    s = Sim(["--nodes", "2xH100-80GB,1xcpu", "--no-world"]).start()
    yield s
    s.stop()


@pytest.fixture
def shared_dir():
    return SHARED_DIR


@pytest.fixture
def client(sim):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import config
    api_client = config.new_client_from_config(config_file=sim.kubeconfig)
    yield api_client
    api_client.close()
