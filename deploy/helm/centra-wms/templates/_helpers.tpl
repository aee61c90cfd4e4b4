{{- define "centra-wms.labels" -}}
app.kubernetes.io/part-of: centra-wms
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}
