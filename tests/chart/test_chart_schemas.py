"""Validates every rendered object against the Kubernetes, cert-manager and Prometheus
Operator API schemas (from the kubernetes-models npm packages)."""

import copy
import json
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

HERE = Path(__file__).resolve().parent
NODE_MODULES = cs.REPO / ".tools" / "node_modules"


def validate(objects):
    """Returns one {"kind", "name", "errors"} entry per object."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "kubernetes-models").is_dir():
        raise FileNotFoundError("node or .tools/node_modules/kubernetes-models is missing; "
                                "run scripts/install-deps.sh")
    result = subprocess.run([node, str(HERE / "validate_objects.mjs"), str(NODE_MODULES)],
                            input=json.dumps(objects), capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"validate_objects.mjs failed: {result.stderr}")
    return json.loads(result.stdout)


class ApiSchemas(unittest.TestCase):
    def test_rendered_objects_match_api_schemas(self):
        for variant, values in cs.VARIANTS.items():
            objects = cs.render(values)
            for entry in validate(objects):
                with self.subTest(variant=variant, kind=entry["kind"], name=entry["name"]):
                    self.assertEqual(entry["errors"], [])

    def test_invalid_object_is_reported(self):
        deployment = copy.deepcopy(cs.find(cs.render({}), "Deployment")[0])
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["securityContext"]["runAsUser"] = "nonroot"
        del deployment["spec"]["selector"]
        errors = validate([deployment])[0]["errors"]
        self.assertEqual(len(errors), 1)
        self.assertIn("runAsUser", errors[0])
        self.assertIn("selector", errors[0])


if __name__ == "__main__":
    unittest.main(verbosity=1)
