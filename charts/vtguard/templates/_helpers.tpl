{{/*
Names that the vtguard binaries expect. They are fixed, not derived from the release name,
because the operator and the webhook look these objects up by these names (the binaries'
defaults for --webhook-service, --webhook-secret and --webhook-configuration).
*/}}
{{- define "vtguard.webhookService" -}}vtguard-webhook{{- end -}}
{{- define "vtguard.webhookSecret" -}}vtguard-webhook-tls{{- end -}}
{{- define "vtguard.webhookCASecret" -}}vtguard-webhook-ca{{- end -}}
{{- define "vtguard.webhookConfiguration" -}}vtguard{{- end -}}
{{- define "vtguard.operatorName" -}}vtguard-operator{{- end -}}
{{- define "vtguard.webhookName" -}}vtguard-webhook{{- end -}}

{{/* Ports of the binaries (their flag defaults). */}}
{{- define "vtguard.webhookPort" -}}8443{{- end -}}
{{- define "vtguard.metricsPort" -}}8080{{- end -}}
{{- define "vtguard.healthPort" -}}8081{{- end -}}

{{/* Labels on every object. */}}
{{- define "vtguard.labels" -}}
app.kubernetes.io/name: vtguard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "operator"). */}}
{{- define "vtguard.selectorLabels" -}}
app.kubernetes.io/name: vtguard
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image reference: repository plus digest, or plus tag (default: the chart's appVersion). */}}
{{- define "vtguard.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if eq $tag "latest" -}}
{{- fail (printf "image.tag: \"latest\" names no fixed release, so pods could run different builds; set image.tag to a release such as %s, or leave it empty for the chart's appVersion" .Chart.AppVersion) -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}:{{ $tag }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}
{{- end -}}

{{/*
Restricted Pod Security Standard: the Pod-level part. 65532 is the "nonroot" user of the
distroless base image.
*/}}
{{- define "vtguard.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Restricted Pod Security Standard: the container-level part. */}}
{{- define "vtguard.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Scheduling shared by both Deployments: spread over nodes and a soft anti-affinity, so one node
failure takes down at most one replica where the cluster has enough nodes.
Call with (dict "root" $ "component" "webhook" "values" .Values.webhook).
*/}}
{{- define "vtguard.scheduling" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: {{ .values.topologySpreadWhenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "vtguard.selectorLabels" (dict "root" .root "component" .component) | nindent 8 }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "vtguard.selectorLabels" (dict "root" .root "component" .component) | nindent 14 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* Namespaces that never reach the webhook. */}}
{{- define "vtguard.excludedNamespaces" -}}
{{- $names := list "kube-system" .Release.Namespace -}}
{{- range .Values.webhook.excludedNamespaces -}}
{{- $names = append $names . -}}
{{- end -}}
{{- toJson (uniq $names) -}}
{{- end -}}

{{/* Namespace of Secret vtguard-operator-trust-bundle (--trust-bundle-namespace). */}}
{{- define "vtguard.trustBundleNamespace" -}}
{{- .Values.operator.trustBundleNamespace | default .Release.Namespace -}}
{{- end -}}

{{/*
Checks watchNamespace: the webhooks never see kube-system or webhook.excludedNamespaces, so a
watched namespace among them would leave every VitessCluster there without TLS injection.
*/}}
{{- define "vtguard.checkWatchNamespace" -}}
{{- with .Values.watchNamespace -}}
{{- if or (eq . "kube-system") (has . $.Values.webhook.excludedNamespaces) -}}
{{- fail (printf "watchNamespace %q is excluded from the webhooks (kube-system or webhook.excludedNamespaces); pick another namespace or remove it from webhook.excludedNamespaces" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
namespaceSelector of every webhook: the watched namespace alone, or every namespace except the
excluded ones.
*/}}
{{- define "vtguard.webhookNamespaceSelector" -}}
{{- include "vtguard.checkWatchNamespace" . -}}
{{- if .Values.watchNamespace -}}
{{- toJson (dict "matchExpressions" (list (dict "key" "kubernetes.io/metadata.name" "operator" "In" "values" (list .Values.watchNamespace)))) -}}
{{- else -}}
{{- toJson (dict "matchExpressions" (list (dict "key" "kubernetes.io/metadata.name" "operator" "NotIn" "values" (include "vtguard.excludedNamespaces" . | fromJsonArray)))) -}}
{{- end -}}
{{- end -}}
