"""Checks that the default resource requests and limits follow the benchmark numbers that the
NOTE above each `resources:` block in values.yaml cites, and that those numbers are still the
ones the benchmark documents record."""

import re
import sys
import unittest
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

VALUES = cs.CHART / "values.yaml"
# Memory request over the highest cited RSS, and memory limit over it.
MIN_REQUEST_HEADROOM = 1.2
MIN_LIMIT_FACTOR = 3.0
MAX_LIMIT_FACTOR = 8.0
UNITS = {"Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0}


def mebibytes(quantity):
    match = re.fullmatch(r"([0-9.]+)(Ki|Mi|Gi)", quantity)
    if not match:
        raise ValueError(f"unsupported memory quantity {quantity!r}; use Ki, Mi or Gi")
    return float(match.group(1)) * UNITS[match.group(2)]


def sizing_notes():
    """Returns component -> (benchmark document, cited MiB values) from the comment block
    directly above `resources:` in each component's section of values.yaml."""
    notes = {}
    component = None
    comment = []
    for line in VALUES.read_text().splitlines():
        top = re.match(r"^([A-Za-z]+):", line)
        if top:
            component = top.group(1)
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
            continue
        if stripped == "resources:" and component:
            text = " ".join(comment)
            source = re.search(r"NOTE: sized from (docs/[\w.-]+\.md)", text)
            cited = [float(v) for v in re.findall(r"([0-9]+(?:\.[0-9]+)?) MiB", text)]
            notes[component] = (source.group(1) if source else None, cited)
        comment = []
    return notes


class ResourceSizing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.values = yaml.safe_load(VALUES.read_text())
        cls.notes = sizing_notes()

    def test_every_component_cites_a_benchmark(self):
        self.assertEqual(set(self.notes), {"operator", "webhook"})
        for component, (source, cited) in self.notes.items():
            with self.subTest(component=component):
                self.assertIsNotNone(source, "NOTE: sized from docs/<benchmark>.md is missing")
                self.assertTrue((cs.REPO / source).is_file(), source)
                self.assertTrue(cited, "the NOTE names no measured MiB value")

    def test_cited_numbers_are_in_the_benchmark_document(self):
        for component, (source, cited) in self.notes.items():
            document = (cs.REPO / source).read_text()
            for value in cited:
                with self.subTest(component=component, value=value):
                    spellings = {f"{value:g}", f"{value:.1f}"}  # 69 or 69.0
                    pattern = "|".join(re.escape(text) for text in spellings)
                    self.assertRegex(document, rf"\b(?:{pattern})\s*MiB")

    def test_memory_follows_measured_peak(self):
        for component, (_, cited) in self.notes.items():
            with self.subTest(component=component):
                resources = self.values[component]["resources"]
                peak = max(cited)
                request = mebibytes(resources["requests"]["memory"])
                limit = mebibytes(resources["limits"]["memory"])
                self.assertGreaterEqual(request, MIN_REQUEST_HEADROOM * peak)
                self.assertGreaterEqual(limit, MIN_LIMIT_FACTOR * peak)
                self.assertLessEqual(limit, MAX_LIMIT_FACTOR * peak)
                self.assertNotIn("cpu", resources["limits"], "a CPU limit throttles the binary")

    def test_rendered_containers_carry_the_defaults(self):
        for deployment in cs.find(cs.render({}), "Deployment"):
            component = deployment["metadata"]["name"].removeprefix("vtguard-")
            container = deployment["spec"]["template"]["spec"]["containers"][0]
            self.assertEqual(container["resources"], self.values[component]["resources"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
