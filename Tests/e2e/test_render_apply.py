"""`platform render` output applied to KubeSim with `kubectl apply --server-side` (schema validation on), stage by stage.

Per stage directory: the CRD files first (kubectl needs the REST mapping of a custom
resource before it can send it), then the whole directory. Hooks (`hooks/`) are not
applied: they are Helm's install/upgrade/delete jobs, run by the rollout, not by GitOps.
"""
import os
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import PLATFORM_BIN, ROOT, SHARED_DIR

PROFILES = ["dev-time-slicing", "h100-mig", "dra-k8s-1.34", "rdma-training"]


def render(profile, out, *extra):
    r = subprocess.run([PLATFORM_BIN, "render", str(ROOT / "Profiles" / f"{profile}.yaml"), "--out", out,
                        "--chart-mirror", str(SHARED_DIR / "charts"), "--quiet", *extra],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return Path(out)


@pytest.mark.parametrize("profile", PROFILES)
def test_rendered_stages_apply_cleanly(sim, profile):
    out = render(profile, tempfile.mkdtemp(prefix=f"render-{profile}-"))
    stages = sorted(d for d in out.iterdir() if d.is_dir())
    assert stages[0].name == "00-namespaces"
    applied = 0
    for stage in stages:
        files = sorted(f for f in stage.iterdir() if f.suffix == ".yaml")
        crds = [f for f in files if "-customresourcedefinition_" in f.name]
        if crds:
            args = ["apply", "--server-side", "--validate=strict"]
            for f in crds:
                args += ["-f", str(f)]
            sim.kubectl(*args, timeout=120)
        if files:
            r = sim.kubectl("apply", "--server-side", "--validate=strict", "-f", str(stage), timeout=180)
            applied += len([l for l in r.stdout.splitlines() if "serverside-applied" in l])
    total = sum(1 for s in stages for f in s.iterdir() if f.suffix == ".yaml")
    assert applied == total


def test_render_is_byte_identical_and_prunes(sim):
    a = render("rdma-training", tempfile.mkdtemp(prefix="render-a-"), "--format", "flux", "--repo-path", "clusters/gpu")
    b = render("rdma-training", tempfile.mkdtemp(prefix="render-b-"), "--format", "flux", "--repo-path", "clusters/gpu")
    r = subprocess.run(["diff", "-r", str(a), str(b)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    (a / "notes.txt").write_text("mine")
    render("dev-time-slicing", str(a), "--format", "flux")
    assert not (a / "20-network").exists()
    assert (a / "notes.txt").read_text() == "mine"


def test_stdout_stream_applies(sim):
    r = subprocess.run([PLATFORM_BIN, "render", str(ROOT / "Profiles" / "dev-time-slicing.yaml"), "--stdout",
                        "--chart-mirror", str(SHARED_DIR / "charts")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    docs = [d for d in re.split(r"(?m)^---\n", r.stdout) if d.strip()]
    assert docs[0].startswith("# Source: 00-namespaces/")
    crds = "---\n".join(d for d in docs if "kind: CustomResourceDefinition" in d)
    sim.kubectl("apply", "--server-side", "-f", "-", input=crds)
    rest = "---\n".join(d for d in docs if "/hooks/" not in d.splitlines()[0])
    sim.kubectl("apply", "--server-side", "-f", "-", input=rest, timeout=180)
