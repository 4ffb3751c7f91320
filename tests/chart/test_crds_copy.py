"""Checks that charts/vtguard/crds/ holds exactly the files of the top-level crds/ folder.

Helm installs CRDs only from the chart's own crds/ folder and cannot follow a link out of the
chart, so the chart carries committed copies. crds/ stays the single source. To update:
    cp crds/*.yaml charts/vtguard/crds/
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

    def test_policy_crd_is_shipped(self):
        copies = manifest_files(COPY)
        self.assertIn("vtguard.io_vitesstlspolicies.yaml", copies)


if __name__ == "__main__":
    if not manifest_files(SOURCE):
        print(f"skipped: {SOURCE} holds no CRD files yet")
        sys.exit(SKIP_EXIT_CODE)
    unittest.main(verbosity=1)
