"""Renders the chart with helm for every value variant and checks each object."""

import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chart_support as cs  # noqa: E402

# Every kind the chart may render, with its only allowed apiVersion and whether it is namespaced.
ALLOWED_KINDS = {
    "Deployment": ("apps/v1", True),
    "Service": ("v1", True),
    "ServiceAccount": ("v1", True),
    "ConfigMap": ("v1", True),
    "PodDisruptionBudget": ("policy/v1", True),
    "ClusterRole": ("rbac.authorization.k8s.io/v1", False),
    "ClusterRoleBinding": ("rbac.authorization.k8s.io/v1", False),
    "Role": ("rbac.authorization.k8s.io/v1", True),
    "RoleBinding": ("rbac.authorization.k8s.io/v1", True),
    "MutatingWebhookConfiguration": ("admissionregistration.k8s.io/v1", False),
    "ValidatingWebhookConfiguration": ("admissionregistration.k8s.io/v1", False),
    "ValidatingAdmissionPolicy": ("admissionregistration.k8s.io/v1", False),
    "ValidatingAdmissionPolicyBinding": ("admissionregistration.k8s.io/v1", False),
    "Issuer": ("cert-manager.io/v1", True),
    "Certificate": ("cert-manager.io/v1", True),
    "ServiceMonitor": ("monitoring.coreos.com/v1", True),
    "PrometheusRule": ("monitoring.coreos.com/v1", True),
}

# Flags each binary accepts (the interface contract); the chart must pass no other.
OPERATOR_FLAGS = {
    "--kubeconfig", "--leader-elect", "--leader-election-namespace", "--lease-name",
    "--metrics-address", "--health-address", "--namespace", "--webhook-service",
    "--webhook-secret", "--webhook-configuration", "--trust-bundle-namespace", "--workers",
    "--log-level", "--watch-namespace", "--manage-webhook-certificate",
}
WEBHOOK_FLAGS = {
    "--listen-address", "--metrics-address", "--tls-cert-dir", "--policy-file", "--kubeconfig",
    "--log-level", "--max-connections", "--shutdown-timeout", "--watch-namespace",
}
WEBHOOK_PATHS = {"/mutate/vitesscluster", "/validate/vitesscluster", "/mutate/pod", "/validate/pod"}

POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 65532,
    "seccompProfile": {"type": "RuntimeDefault"},
}
CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 65532,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}

# Values that the schema must reject, each with the text expected in helm's error.
INVALID_VALUES = [
    ("wrong type", {"webhook": {"replicas": "three"}}, "webhook.replicas"),
    ("unknown top-level key", {"webhookk": {}}, "webhookk"),
    ("unknown nested key", {"operator": {"leaderElection": {"leaseDuration": "15s"}}}, "leaseDuration"),
    ("bad enum", {"logLevel": "verbose"}, "logLevel"),
    ("latest tag", {"image": {"tag": "latest"}}, "image.tag"),
    ("tag with a space", {"image": {"tag": "1.0 beta"}}, "image.tag"),
    ("timeout above 10", {"webhook": {"timeoutSeconds": 30}}, "webhook.timeoutSeconds"),
    ("zero replicas", {"operator": {"replicas": 0}}, "operator.replicas"),
    ("Deny with Warn", {"validatingAdmissionPolicy": {"validationActions": ["Deny", "Warn"]}},
     "validationActions"),
    ("bad digest", {"image": {"digest": "sha256:xyz"}}, "image.digest"),
    ("bad quantity", {"webhook": {"resources": {"requests": {"memory": "lots"}}}}, "memory"),
    ("bad duration", {"certManager": {"duration": "90 days"}}, "certManager.duration"),
    ("namespace with capitals", {"watchNamespace": "Vitess"}, "watchNamespace"),
]


def pod_specs(objects):
    """Yields (deployment name, pod spec) for every Deployment."""
    for deployment in cs.find(objects, "Deployment"):
        yield deployment["metadata"]["name"], deployment["spec"]["template"]["spec"]


def flag_name(arg):
    return arg.split("=", 1)[0]


class ChartLint(unittest.TestCase):
    def test_lint_strict_passes_for_every_variant(self):
        for name, values in cs.VARIANTS.items():
            with self.subTest(variant=name):
                result = cs.lint(values)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_schema_rejects_invalid_values(self):
        for case, values, field in INVALID_VALUES:
            with self.subTest(case=case):
                result = cs.template(values)
                self.assertNotEqual(result.returncode, 0, f"accepted: {values}")
                self.assertIn("schema", result.stderr)
                self.assertIn(field, result.stderr)

    def test_latest_tag_names_the_fix(self):
        for check in (cs.template, cs.lint):
            with self.subTest(check=check.__name__):
                result = check({"image": {"tag": "latest"}})
                self.assertNotEqual(result.returncode, 0)
                self.assertIn('a release tag such as 1.2.3, not \\"latest\\" (or leave image.tag '
                              "empty for the chart's appVersion)", result.stdout + result.stderr)

    def test_admission_policy_needs_kubernetes_1_30(self):
        result = cs.template(cs.VARIANTS["admission-policy"], kube_version="1.29.4")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("needs Kubernetes 1.30", result.stderr)

    def test_disabled_leader_election_needs_one_replica(self):
        values = {"operator": {"leaderElection": {"enabled": False, "leaseName": "vtguard-operator"}}}
        result = cs.template(values)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("operator.replicas=1", result.stderr)
        values["operator"]["replicas"] = 1
        operator = cs.find(cs.render(values), "Deployment", "vtguard-operator")[0]
        args = operator["spec"]["template"]["spec"]["containers"][0]["args"]
        self.assertIn("--leader-elect=false", args)

    def test_watch_namespace_must_reach_the_webhooks(self):
        for case, values in (("kube-system", {"watchNamespace": "kube-system"}),
                             ("excluded", {"watchNamespace": "vitess",
                                           "webhook": {"excludedNamespaces": ["vitess"]}})):
            with self.subTest(case=case):
                result = cs.template(values)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("is excluded from the webhooks", result.stderr)

    def test_renders_on_oldest_supported_kubernetes(self):
        result = cs.template(cs.VARIANTS["monitoring"], kube_version="1.27.0")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_chart_rejects_kubernetes_older_than_1_27(self):
        result = cs.template({}, kube_version="1.26.0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("kubeVersion", result.stderr)


class RenderedObjects(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rendered = {name: cs.render(values) for name, values in cs.VARIANTS.items()}

    def each_variant(self):
        for name, objects in self.rendered.items():
            with self.subTest(variant=name):
                yield name, objects

    def test_kinds_and_api_versions_are_known(self):
        for _, objects in self.each_variant():
            for obj in objects:
                self.assertIn(obj["kind"], ALLOWED_KINDS)
                self.assertEqual(obj["apiVersion"], ALLOWED_KINDS[obj["kind"]][0], obj["kind"])

    def test_names_namespaces_and_labels(self):
        for variant, objects in self.each_variant():
            values = cs.VARIANTS[variant]
            # Only RBAC reaches beyond the release namespace: into the watched namespace and
            # the trust bundle's namespace.
            rbac_namespaces = {cs.RELEASE_NAMESPACE}
            if cs.watch_namespace(values):
                rbac_namespaces |= {cs.watch_namespace(values), cs.trust_bundle_namespace(values)}
            seen = set()
            for obj in objects:
                meta = obj["metadata"]
                self.assertTrue(meta.get("name"), obj["kind"])
                namespaced = ALLOWED_KINDS[obj["kind"]][1]
                if obj["kind"] in ("Role", "RoleBinding"):
                    self.assertIn(meta.get("namespace"), rbac_namespaces, meta["name"])
                elif namespaced:
                    self.assertEqual(meta.get("namespace"), cs.RELEASE_NAMESPACE, meta["name"])
                else:
                    self.assertNotIn("namespace", meta, meta["name"])
                self.assertEqual(meta["labels"]["app.kubernetes.io/name"], "vtguard", meta["name"])
                key = (obj["kind"], meta.get("namespace"), meta["name"])
                self.assertNotIn(key, seen, f"duplicate {key}")
                seen.add(key)

    def test_selectors_match_pod_labels(self):
        for _, objects in self.each_variant():
            pod_labels = {}
            for deployment in cs.find(objects, "Deployment"):
                labels = deployment["spec"]["template"]["metadata"]["labels"]
                selector = deployment["spec"]["selector"]["matchLabels"]
                self.assertLessEqual(selector.items(), labels.items(), deployment["metadata"]["name"])
                pod_labels[deployment["metadata"]["name"]] = labels
            for kind in ("Service", "PodDisruptionBudget"):
                for obj in cs.find(objects, kind):
                    selector = obj["spec"]["selector"]
                    selector = selector.get("matchLabels", selector)
                    matched = [n for n, labels in pod_labels.items()
                               if selector.items() <= labels.items()]
                    self.assertEqual(len(matched), 1, f"{kind} {obj['metadata']['name']}: {matched}")

    def test_every_pod_and_container_is_restricted(self):
        for _, objects in self.each_variant():
            for name, spec in pod_specs(objects):
                for key, value in POD_SECURITY.items():
                    self.assertEqual(spec["securityContext"].get(key), value, f"{name} pod {key}")
                self.assertFalse(spec.get("hostNetwork", False), name)
                self.assertFalse(spec.get("hostPID", False), name)
                containers = spec["containers"] + spec.get("initContainers", [])
                for container in containers:
                    context = container["securityContext"]
                    for key, value in CONTAINER_SECURITY.items():
                        self.assertEqual(context.get(key), value, f"{name}/{container['name']} {key}")

    def test_images_are_tagged_and_not_latest(self):
        for variant, objects in self.each_variant():
            for name, spec in pod_specs(objects):
                for container in spec["containers"]:
                    image = container["image"]
                    reference = image.split("@", 1)[0]
                    repository, _, tag = reference.rpartition(":")
                    self.assertTrue(repository and "/" not in tag, f"{name}: untagged image {image}")
                    self.assertNotEqual(tag, "latest", name)
                    if variant == "defaults":
                        self.assertEqual(image, "vtguard:0.1.0")
                    if cs.VARIANTS[variant].get("image", {}).get("digest"):
                        self.assertRegex(image, r"@sha256:[0-9a-f]{64}$")

    def test_binaries_get_only_their_flags(self):
        for _, objects in self.each_variant():
            specs = dict(pod_specs(objects))
            operator = specs["vtguard-operator"]["containers"][0]
            webhook = specs["vtguard-webhook"]["containers"][0]
            self.assertEqual(operator["command"], ["/usr/local/bin/vtguard-operator"])
            self.assertEqual(webhook["command"], ["/usr/local/bin/vtguard-webhook"])
            for arg in operator["args"]:
                self.assertIn(flag_name(arg), OPERATOR_FLAGS)
            for arg in webhook["args"]:
                self.assertIn(flag_name(arg), WEBHOOK_FLAGS)
            self.assertNotIn("--leader-elect=false", operator["args"])
            self.assertIn(f"--leader-election-namespace={cs.RELEASE_NAMESPACE}", operator["args"])
            self.assertIn("--tls-cert-dir=/etc/vtguard/webhook-tls", webhook["args"])
            mounts = {m["mountPath"]: m for m in webhook["volumeMounts"]}
            self.assertTrue(mounts["/etc/vtguard/webhook-tls"]["readOnly"])
            volumes = {v["name"]: v for v in specs["vtguard-webhook"]["volumes"]}
            secret = volumes[mounts["/etc/vtguard/webhook-tls"]["name"]]["secret"]
            self.assertEqual(secret["secretName"], "vtguard-webhook-tls")

    def test_scope_and_certificate_flags_follow_values(self):
        for variant, objects in self.each_variant():
            values = cs.VARIANTS[variant]
            specs = dict(pod_specs(objects))
            operator = specs["vtguard-operator"]["containers"][0]["args"]
            webhook = specs["vtguard-webhook"]["containers"][0]["args"]
            watch = cs.watch_namespace(values)
            for args in (operator, webhook):
                scoped = [a for a in args if flag_name(a) == "--watch-namespace"]
                self.assertEqual(scoped, [f"--watch-namespace={watch}"] if watch else [])
            certificate = [a for a in operator if flag_name(a) == "--manage-webhook-certificate"]
            expected = ["--manage-webhook-certificate=false"] if cs.cert_manager_enabled(values) else []
            self.assertEqual(certificate, expected)
            self.assertIn(f"--trust-bundle-namespace={cs.trust_bundle_namespace(values)}", operator)

    def test_probes_use_health_endpoints(self):
        for _, objects in self.each_variant():
            specs = dict(pod_specs(objects))
            for name, port, scheme in (("vtguard-operator", 8081, "HTTP"),
                                       ("vtguard-webhook", 8443, "HTTPS")):
                container = specs[name]["containers"][0]
                ports = {p["name"]: p["containerPort"] for p in container["ports"]}
                for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                    http = container[probe]["httpGet"]
                    self.assertEqual(http["path"], path, f"{name} {probe}")
                    self.assertEqual(ports[http["port"]], port, f"{name} {probe}")
                    self.assertEqual(http.get("scheme", "HTTP"), scheme, f"{name} {probe}")

    def test_replicas_spread_and_disruption_budget(self):
        objects = self.rendered["defaults"]
        deployments = {d["metadata"]["name"]: d for d in cs.find(objects, "Deployment")}
        self.assertEqual(deployments["vtguard-operator"]["spec"]["replicas"], 2)
        self.assertEqual(deployments["vtguard-webhook"]["spec"]["replicas"], 3)
        for name, deployment in deployments.items():
            spec = deployment["spec"]["template"]["spec"]
            spread = spec["topologySpreadConstraints"][0]
            self.assertEqual(spread["topologyKey"], "kubernetes.io/hostname", name)
            anti = spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
            self.assertEqual(anti[0]["podAffinityTerm"]["topologyKey"], "kubernetes.io/hostname")
            self.assertNotIn("requiredDuringSchedulingIgnoredDuringExecution",
                             spec["affinity"]["podAntiAffinity"])
        budget = cs.find(objects, "PodDisruptionBudget", "vtguard-webhook")[0]["spec"]
        self.assertTrue(budget.get("maxUnavailable") == 1 or budget.get("minAvailable") == 2)

    def test_webhook_service_maps_443_to_8443(self):
        objects = self.rendered["defaults"]
        service = cs.find(objects, "Service", "vtguard-webhook")[0]
        ports = {p["name"]: p for p in service["spec"]["ports"]}
        self.assertEqual(ports["https"]["port"], 443)
        container = cs.find(objects, "Deployment", "vtguard-webhook")[0]
        container = container["spec"]["template"]["spec"]["containers"][0]
        container_ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        self.assertEqual(container_ports[ports["https"]["targetPort"]], 8443)
        self.assertEqual(container_ports[ports["metrics"]["targetPort"]], 8080)

    def test_optional_objects_follow_their_switch(self):
        expectations = {
            "defaults": set(),
            "cert-manager": {"Issuer", "Certificate"},
            "monitoring": {"ServiceMonitor", "PrometheusRule", "ConfigMap"},
            "admission-policy": {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"},
        }
        optional = set().union(*expectations.values())
        for variant, expected in expectations.items():
            kinds = {o["kind"] for o in self.rendered[variant]}
            self.assertEqual(kinds & optional, expected, variant)


class WebhookConfigurations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rendered = {name: cs.render(values) for name, values in cs.VARIANTS.items()}

    def webhooks(self):
        for variant, objects in self.rendered.items():
            for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
                configurations = cs.find(objects, kind)
                self.assertEqual([c["metadata"]["name"] for c in configurations], ["vtguard"])
                for webhook in configurations[0]["webhooks"]:
                    with self.subTest(variant=variant, webhook=webhook["name"]):
                        yield variant, kind, configurations[0], webhook

    def test_common_settings(self):
        for variant, _, _, webhook in self.webhooks():
            self.assertEqual(webhook["admissionReviewVersions"], ["v1"])
            self.assertEqual(webhook["sideEffects"], "None")
            self.assertLessEqual(webhook["timeoutSeconds"], 10)
            self.assertGreaterEqual(webhook["timeoutSeconds"], 1)
            service = webhook["clientConfig"]["service"]
            self.assertEqual(service["name"], "vtguard-webhook")
            self.assertEqual(service["namespace"], cs.RELEASE_NAMESPACE)
            self.assertEqual(service["port"], 443)
            self.assertIn(service["path"], WEBHOOK_PATHS)
            self.assertNotIn("caBundle", webhook["clientConfig"])
            self.assertNotIn("url", webhook["clientConfig"])

    def test_namespace_selector_excludes_system_namespaces(self):
        for variant, _, _, webhook in self.webhooks():
            if cs.watch_namespace(cs.VARIANTS[variant]):
                continue
            expressions = webhook["namespaceSelector"]["matchExpressions"]
            excluded = [e for e in expressions
                        if e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"]
            self.assertEqual(len(excluded), 1)
            self.assertIn("kube-system", excluded[0]["values"])
            self.assertIn(cs.RELEASE_NAMESPACE, excluded[0]["values"])
            for extra in cs.VARIANTS[variant].get("webhook", {}).get("excludedNamespaces", []):
                self.assertIn(extra, excluded[0]["values"])

    def test_selector_matches_only_watched_namespace(self):
        expected = None
        for variant, _, _, webhook in self.webhooks():
            watch = cs.watch_namespace(cs.VARIANTS[variant])
            if not watch:
                continue
            expected = {"matchExpressions": [{"key": "kubernetes.io/metadata.name",
                                              "operator": "In", "values": [watch]}]}
            self.assertEqual(webhook["namespaceSelector"], expected)
        self.assertIsNotNone(expected, "no variant sets watchNamespace")

    def test_admission_policy_matches_webhook_namespaces(self):
        for variant, objects in self.rendered.items():
            bindings = cs.find(objects, "ValidatingAdmissionPolicyBinding")
            if not bindings:
                continue
            with self.subTest(variant=variant):
                webhook = cs.find(objects, "ValidatingWebhookConfiguration")[0]["webhooks"][0]
                selector = bindings[0]["spec"]["matchResources"]["namespaceSelector"]
                self.assertEqual(selector, webhook["namespaceSelector"])

    def test_failure_policy_per_webhook(self):
        for _, kind, _, webhook in self.webhooks():
            resources = {r for rule in webhook["rules"] for r in rule["resources"]}
            mutating = kind == "MutatingWebhookConfiguration"
            if mutating:
                self.assertEqual(webhook["failurePolicy"], "Ignore")
                self.assertEqual(webhook["reinvocationPolicy"], "IfNeeded")
            elif resources == {"vitessclusters"}:
                self.assertEqual(webhook["failurePolicy"], "Fail")
            else:
                self.assertEqual(webhook["failurePolicy"], "Ignore")
            self.assertIn(resources, ({"vitessclusters"}, {"pods"}))
            if resources == {"vitessclusters"}:
                for rule in webhook["rules"]:
                    self.assertEqual(rule["apiGroups"], ["planetscale.com"])
                expected = "/mutate/vitesscluster" if mutating else "/validate/vitesscluster"
            else:
                expected = "/mutate/pod" if mutating else "/validate/pod"
            self.assertEqual(webhook["clientConfig"]["service"]["path"], expected)
            for rule in webhook["rules"]:
                self.assertNotIn("*", rule["resources"] + rule["apiGroups"] + rule["operations"])
                self.assertNotIn("DELETE", rule["operations"])

    def test_pod_webhooks_select_only_vtguard_pods(self):
        allowed_selectors = [{"planetscale.com/component": "vttablet"}, {"vtguard.io/inject": "true"}]
        for _, _, _, webhook in self.webhooks():
            resources = {r for rule in webhook["rules"] for r in rule["resources"]}
            if resources != {"pods"}:
                continue
            self.assertIn(webhook["objectSelector"].get("matchLabels"), allowed_selectors)
            self.assertTrue(webhook["matchConditions"])

    def test_cert_manager_injects_the_ca(self):
        objects = self.rendered["cert-manager"]
        certificate = cs.find(objects, "Certificate", "vtguard-webhook-tls")[0]
        self.assertEqual(certificate["spec"]["secretName"], "vtguard-webhook-tls")
        self.assertIn(f"vtguard-webhook.{cs.RELEASE_NAMESPACE}.svc", certificate["spec"]["dnsNames"])
        issuer = certificate["spec"]["issuerRef"]["name"]
        self.assertTrue(cs.find(objects, "Issuer", issuer))
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            annotations = cs.find(objects, kind)[0]["metadata"]["annotations"]
            self.assertEqual(annotations["cert-manager.io/inject-ca-from"],
                             f"{cs.RELEASE_NAMESPACE}/vtguard-webhook-tls")
        for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
            self.assertNotIn("annotations", cs.find(self.rendered["defaults"], kind)[0]["metadata"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
