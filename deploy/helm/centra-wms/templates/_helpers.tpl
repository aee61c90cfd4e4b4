{{/* Labels every object of the release carries. */}}
{{- define "centra-wms.labels" -}}
app.kubernetes.io/part-of: centra-wms
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* Selector of one service's pods: (dict "root" $ "name" $name). */}}
{{- define "centra-wms.selector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
{{- end -}}

{{/* The Kubernetes name of one service: release-service. */}}
{{- define "centra-wms.name" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "centra-wms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default .Release.Name .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "centra-wms.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The two services that reach out and take webhooks. */}}
{{- define "centra-wms.isGateway" -}}
{{- if or (eq . "centra-gateway") (eq . "ongoing-gateway") -}}true{{- end -}}
{{- end -}}
