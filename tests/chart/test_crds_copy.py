"""Checks that charts/vtguard/crds/ holds exactly the files of the top-level crds/ folder.

Helm installs CRDs only from the chart's own crds/ folder and cannot follow a link out of the
chart, so the chart carries committed copies. crds/ stays the single source. To update:
    cp crds/*.yaml charts/vtguard/crds/
The CEL rules of the CRDs (x-kubernetes-validations) are also parsed, to catch syntax errors.
"""

import sys
import unittest
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

SOURCE = cs.REPO / "crds"
COPY = cs.CHART / "crds"
SKIP_EXIT_CODE = 77


def manifest_files(folder):
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.suffix in (".yaml", ".yml", ".json")}


def validation_rules(node):
    """Yields every x-kubernetes-validations rule in a CRD, at any depth."""
    if isinstance(node, dict):
        for validation in node.get("x-kubernetes-validations", []):
            yield validation["rule"]
        for value in node.values():
            yield from validation_rules(value)
    elif isinstance(node, list):
        for value in node:
            yield from validation_rules(value)


class CrdCopies(unittest.TestCase):
    def test_chart_copies_equal_the_source(self):
        source = manifest_files(SOURCE)
        copies = manifest_files(COPY)
        self.assertEqual(sorted(copies), sorted(source),
                         "file sets differ; run: cp crds/*.yaml charts/vtguard/crds/")
        for name, content in source.items():
            with self.subTest(file=name):
                self.assertEqual(copies[name], content,
                                 f"charts/vtguard/crds/{name} differs from crds/{name}; "
                                 "run: cp crds/*.yaml charts/vtguard/crds/")

    def test_every_file_is_a_crd(self):
        for name, content in manifest_files(SOURCE).items():
            with self.subTest(file=name):
                docs = [d for d in yaml.safe_load_all(content) if d]
                self.assertTrue(docs)
                for doc in docs:
                    self.assertEqual(doc["apiVersion"], "apiextensions.k8s.io/v1")
                    self.assertEqual(doc["kind"], "CustomResourceDefinition")
                    spec = doc["spec"]
                    self.assertEqual(doc["metadata"]["name"], f"{spec['names']['plural']}.{spec['group']}")

    def test_validation_rules_parse(self):
        rules = []
        for name, content in manifest_files(SOURCE).items():
            for doc in yaml.safe_load_all(content):
                rules += [(name, rule) for rule in validation_rules(doc or {})]
        results = cs.evaluate_cel([{"expression": rule, "parseOnly": True} for _, rule in rules])
        for (name, rule), result in zip(rules, results):
            with self.subTest(file=name, rule=rule):
                self.assertNotIn("error", result)

    def test_policy_crd_is_shipped(self):
        copies = manifest_files(COPY)
        self.assertIn("vtguard.io_vitesstlspolicies.yaml", copies)


if __name__ == "__main__":
    if not manifest_files(SOURCE):
        print(f"skipped: {SOURCE} holds no CRD files yet")
        sys.exit(SKIP_EXIT_CODE)
    unittest.main(verbosity=1)
