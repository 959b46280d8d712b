{{/* Labels on every object the platform's own manifests create. */}}
{{- define "platform.labels" -}}
app.kubernetes.io/managed-by: platform
platform.gpu/profile: {{ .Values.profile.metadata.name }}
{{- end -}}
