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

{{/* The services that reach out and take webhooks: centra-gateway and the WMS gateways. */}}
{{- define "centra-wms.isGateway" -}}
{{- if or (eq . "centra-gateway") (include "centra-wms.isWmsGateway" .) -}}true{{- end -}}
{{- end -}}

{{/* The gateways of the WMS kinds; one of them runs (wms.kind). */}}
{{- define "centra-wms.isWmsGateway" -}}
{{- if or (eq . "ongoing-gateway") (eq . "ogoship-gateway") -}}true{{- end -}}
{{- end -}}

{{/* The service that speaks to the configured WMS: ongoing-gateway or ogoship-gateway. */}}
{{- define "centra-wms.wmsGateway" -}}
{{- printf "%s-gateway" .Values.wms.kind -}}
{{- end -}}

{{/* Whether a service runs: every service but the WMS gateway of the other kind.
     (dict "root" $ "name" $name) */}}
{{- define "centra-wms.runs" -}}
{{- if or (not (include "centra-wms.isWmsGateway" .name)) (eq .name (include "centra-wms.wmsGateway" .root)) -}}true{{- end -}}
{{- end -}}

{{/* The WMS path the running WMS gateway takes webhooks on. */}}
{{- define "centra-wms.wmsWebhookPath" -}}
{{- printf "/webhooks/%s" .Values.wms.kind -}}
{{- end -}}

{{/* `kind` of the [wms] table in `config` ("ongoing" when unset, as the binary reads it). */}}
{{- define "centra-wms.configWmsKind" -}}
{{- $table := regexFind `(?ms)^[ \t]*\[[ \t]*wms[ \t]*\][ \t]*(#[^\n]*)?$.*?(^[ \t]*\[|\z)` .Values.config -}}
{{- $line := regexFind `(?m)^[ \t]*kind[ \t]*=[ \t]*["'][^"'\n]*["']` $table -}}
{{- if $line -}}
{{- regexReplaceAll `^[^=]*=[ \t]*["']([^"'\n]*)["']$` $line "${1}" | trim -}}
{{- else -}}
ongoing
{{- end -}}
{{- end -}}

{{/* Refuses values whose parts disagree: wms.kind and the config's [wms] kind, which decide
     together which gateway runs and what it reads. */}}
{{- define "centra-wms.validate" -}}
{{- $configKind := include "centra-wms.configWmsKind" . -}}
{{- if ne $configKind .Values.wms.kind -}}
{{- fail (printf "wms.kind is %q but config's [wms] table says kind = %q (unset there means ongoing): set both to the same WMS; wms.kind picks the gateway the chart deploys" .Values.wms.kind $configKind) -}}
{{- end -}}
{{- range .Values.secretEnv -}}
{{- if eq (upper .name) "CENTRA_WMS__WMS__KIND" -}}
{{- fail "secretEnv must not set CENTRA_WMS__WMS__KIND: the WMS kind is wms.kind plus kind in config's [wms] table" -}}
{{- end -}}
{{- end -}}
{{- end -}}
