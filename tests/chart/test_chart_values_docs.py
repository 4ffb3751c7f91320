"""Checks that every value in values.yaml is commented, listed in the chart README's table
and described by values.schema.json."""

import json
import re
import sys
import unittest
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

VALUES = cs.CHART / "values.yaml"
SCHEMA = cs.CHART / "values.schema.json"
README = cs.CHART / "README.md"


def leaf_paths(values, prefix=""):
    """Yields dotted paths of leaves; lists and empty maps are leaves."""
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, path + ".")
        else:
            yield path


def schema_node(schema, path):
    node = schema
    for key in path.split("."):
        node = node.get("properties", {}).get(key)
        if node is None:
            return None
    return node


def object_nodes(schema, path="(root)"):
    """Yields (path, node) for every object with its own properties in the schema."""
    if schema.get("type") == "object" and "properties" in schema:
        yield path, schema
        for key, child in schema["properties"].items():
            yield from object_nodes(child, f"{path}.{key}")


def readme_keys():
    keys = {}
    for line in README.read_text().splitlines():
        match = re.match(r"^\|\s*`([A-Za-z0-9.]+)`\s*\|\s*`(.*)`\s*\|\s*(.*?)\s*\|$", line)
        if match:
            keys[match.group(1)] = (match.group(2), match.group(3))
    return keys


class ValuesDocumentation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.values = yaml.safe_load(VALUES.read_text())
        cls.schema = json.loads(SCHEMA.read_text())
        cls.paths = list(leaf_paths(cls.values))

    def test_every_value_is_in_the_readme_table(self):
        documented = readme_keys()
        for path in self.paths:
            with self.subTest(value=path):
                self.assertIn(path, documented)
                default, description = documented[path]
                self.assertTrue(description)
                value = self.values
                for key in path.split("."):
                    value = value[key]
                self.assertEqual(json.loads(default), value, "README default differs")
        self.assertEqual(sorted(set(documented) - set(self.paths)), [], "README lists unknown values")

    def test_every_value_is_in_the_schema(self):
        for path in self.paths:
            with self.subTest(value=path):
                node = schema_node(self.schema, path)
                self.assertIsNotNone(node)
                self.assertIn("type", node)
                self.assertTrue(node.get("description"))

    def test_schema_objects_reject_unknown_keys(self):
        self.assertEqual(self.schema["$schema"], "http://json-schema.org/draft-07/schema#")
        for path, node in object_nodes(self.schema):
            with self.subTest(object=path):
                self.assertIs(node.get("additionalProperties"), False)

    def test_every_value_has_a_comment(self):
        lines = VALUES.read_text().splitlines()
        for number, line in enumerate(lines):
            if re.match(r"^\s*[A-Za-z][A-Za-z0-9]*:", line):
                above = lines[number - 1].strip() if number else ""
                with self.subTest(line=line.strip()):
                    self.assertTrue(above.startswith("#"),
                                    f"values.yaml line {number + 1} has no comment above it")


if __name__ == "__main__":
    unittest.main(verbosity=1)
