"""Checks the Dockerfile against scripts/install-deps.sh, scripts/build.sh and the chart.

No container engine runs on the development and CI machines, so the image has never been
built by these tests. These checks keep the Dockerfile's inputs in step with the ones
developers and CI use, and the documents honest about that.
"""

import re
import shlex
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

DOCKERFILE = cs.REPO / "Dockerfile"
INSTALL_DEPS = cs.REPO / "scripts" / "install-deps.sh"
BUILD_SCRIPT = cs.REPO / "scripts" / "build.sh"
DOCKERIGNORE = cs.REPO / ".dockerignore"
RUNTIME_BASES = ("gcr.io/distroless/cc-debian12", "debian:bookworm-slim")
# Documents that tell users how to get the image; each must state that no test builds it.
IMAGE_DOCS = (cs.REPO / "README.md", cs.REPO / "docs" / "install.md", cs.CHART / "README.md")
NOT_BUILT = "no container engine"


def instructions(text):
    """Returns [(INSTRUCTION, arguments)] with continuation lines joined and comments removed."""
    result = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        keyword, _, rest = current.partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    return result


def stages(text):
    """Splits the instructions into stages: [(FROM arguments, [instructions])]."""
    found = []
    for keyword, rest in instructions(text):
        if keyword == "FROM":
            found.append((rest, []))
        elif found:
            found[-1][1].append((keyword, rest))
    return found


def shell_commands(run):
    """Splits a shell line into commands (on &&, ||, ;, |) of words, honouring quotes."""
    lexer = shlex.shlex(run, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    commands = [[]]
    for token in lexer:
        if token in ("&&", "||", ";", "|", ";;"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [words for words in commands if words]


def apt_packages(run):
    packages = []
    for words in shell_commands(run):
        words = [w for w in words if "=" not in w or w.startswith("-")]
        if words[:2] == ["apt-get", "install"]:
            packages += [w for w in words[2:] if not w.startswith("-")]
    return packages


def bash_array(text, name):
    match = re.search(rf"^{name}=\((.*?)^\)", text, re.S | re.M)
    if not match:
        raise AssertionError(f"{name}=( ... ) not found in {INSTALL_DEPS}")
    body = "\n".join(line.split("#", 1)[0] for line in match.group(1).splitlines())
    return body.split()


def cmake_commands(commands, preset=None):
    """Keeps the cmake invocations, without parallelism options, with $preset expanded."""
    result = []
    for words in commands:
        if not words or words[0] != "cmake":
            continue
        words = [preset if w in ("$preset", "${preset}") and preset else w for w in words]
        cleaned = []
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word in ("-j", "--parallel"):
                skip = True
                continue
            if word.startswith((">", "2>")) or word.startswith("-j"):
                continue
            cleaned.append(word)
        result.append(cleaned)
    return result


class Dockerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = DOCKERFILE.read_text()
        cls.stages = stages(cls.text)

    def build_runs(self):
        return [rest for keyword, rest in self.stages[0][1] if keyword == "RUN"]

    def test_has_build_and_runtime_stages(self):
        self.assertEqual(len(self.stages), 2)
        self.assertEqual(self.stages[0][0], "debian:bookworm AS build")
        self.assertTrue(self.stages[1][0].startswith(RUNTIME_BASES), self.stages[1][0])
        for base, _ in self.stages:
            self.assertNotIn(":latest", base)
            self.assertRegex(base.split()[0], r":[A-Za-z0-9][A-Za-z0-9_.-]*$", "untagged base")

    def test_build_packages_equal_install_deps(self):
        packages = [p for run in self.build_runs() for p in apt_packages(run)]
        expected = bash_array(INSTALL_DEPS.read_text(), "DEBIAN_BUILD_PACKAGES")
        self.assertEqual(len(packages), len(set(packages)), "duplicate packages")
        self.assertEqual(sorted(packages), sorted(expected))

    def test_install_deps_installs_the_build_packages(self):
        text = INSTALL_DEPS.read_text()
        self.assertIn('"${DEBIAN_BUILD_PACKAGES[@]}"', bash_array(text, "DEBIAN_PACKAGES"))

    def test_build_commands_equal_build_script(self):
        docker = cmake_commands([w for run in self.build_runs() for w in shell_commands(run)])
        script_lines = [line for line in BUILD_SCRIPT.read_text().splitlines()
                        if not line.lstrip().startswith("#")]
        script = cmake_commands([w for line in script_lines for w in shell_commands(line)],
                                preset="release")
        self.assertEqual(docker, [["cmake", "--preset", "release"],
                                  ["cmake", "--build", "--preset", "release"]])
        self.assertEqual(docker, script)

    def test_release_preset_builds_without_tests(self):
        import json
        presets = json.loads((cs.REPO / "CMakePresets.json").read_text())
        configure = {p["name"]: p for p in presets["configurePresets"]}
        self.assertEqual(configure["release"]["cacheVariables"]["VTGUARD_BUILD_TESTS"], "OFF")
        self.assertIn("release", {p["name"] for p in presets["buildPresets"]})

    def test_runtime_stage_runs_as_nonroot(self):
        runtime = self.stages[1][1]
        users = [rest for keyword, rest in runtime if keyword == "USER"]
        self.assertEqual(users, ["65532:65532"])
        self.assertNotIn("RUN", [keyword for keyword, _ in runtime], "runtime stage needs no shell")

    def test_image_holds_the_binaries_the_chart_runs(self):
        match = re.search(r"for name in ([a-z -]+?);", self.text)
        self.assertIsNotNone(match)
        installed = {f"/usr/local/bin/{name}" for name in match.group(1).split()}
        self.assertEqual(installed, {"/usr/local/bin/vtguard-operator",
                                     "/usr/local/bin/vtguard-webhook", "/usr/local/bin/vtguard"})
        for deployment in cs.find(cs.render({}), "Deployment"):
            for container in deployment["spec"]["template"]["spec"]["containers"]:
                self.assertIn(container["command"][0], installed)
        copies = [rest for keyword, rest in self.stages[1][1] if keyword == "COPY"]
        self.assertIn("--from=build /out/usr/local/bin/ /usr/local/bin/", copies)

    def test_runtime_finds_the_copied_libraries(self):
        runtime = self.stages[1][1]
        copies = [rest.split() for keyword, rest in runtime if keyword == "COPY"]
        library_dirs = [words[-1].rstrip("/") for words in copies if "lib" in words[-1]]
        environment = dict(rest.split("=", 1) for keyword, rest in runtime if keyword == "ENV")
        self.assertEqual(library_dirs, ["/usr/lib/vtguard"])
        self.assertEqual(environment.get("LD_LIBRARY_PATH"), "/usr/lib/vtguard")
        self.assertIn("ldd /out/usr/local/bin/*", self.text)

    def test_docs_state_image_is_untested(self):
        for path in IMAGE_DOCS:
            with self.subTest(document=str(path.relative_to(cs.REPO))):
                text = " ".join(path.read_text().split())
                self.assertIn(NOT_BUILT, text)
                self.assertIn("never been built", text)

    def test_install_guide_builds_the_chart_app_version(self):
        guide = (cs.REPO / "docs" / "install.md").read_text()
        builds = [shlex.split(line) for line in guide.splitlines()
                  if line.strip().startswith("docker build")]
        self.assertEqual(len(builds), 1, builds)
        self.assertEqual(builds[0][-1], ".", "the build context must be the repository root")
        tag = builds[0][builds[0].index("-t") + 1].rpartition(":")[2]
        chart = cs.CHART / "Chart.yaml"
        app_version = re.search(r'^appVersion:\s*"?([^"\s]+)"?', chart.read_text(), re.M).group(1)
        self.assertEqual(tag, app_version)

    def test_dockerignore_leaves_out_build_trees_and_tools(self):
        ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()
                   if line.strip() and not line.startswith("#")}
        for entry in (".git", "build*", ".tools"):
            self.assertIn(entry, ignored)


if __name__ == "__main__":
    unittest.main(verbosity=1)
