// Generated from Manifests/ by StagesTests (EmbeddedManifestsTests); do not edit.
// Re-record with PLATFORM_RECORD=1 swift test --filter StagesTests.
enum EmbeddedManifests {
    static let files: [String: String] = [
        "00-namespaces/namespaces.yaml": #"""
{{- /* Every namespace the enabled stages install into, and one per tenant. */}}
{{- range .Values.platform.namespaces }}
---
apiVersion: v1
kind: Namespace
metadata:
  name: {{ .name }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
    {{- if .privileged }}
    {{- /* Operator namespaces run privileged host agents (driver, toolkit, device plugins). */}}
    pod-security.kubernetes.io/enforce: privileged
    {{- end }}
    {{- if .tenant }}
    platform.gpu/tenant: "true"
    {{- end }}
{{- end }}

"""#,
        "20-network/nicclusterpolicy.yaml": #"""
{{- /* The NicClusterPolicy (mellanox.com/v1alpha1): RDMA shared device plugin and secondary network. */}}
{{- with .Values.profile.spec.network.nicClusterPolicy }}
{{- $img := $.Values.platform.network }}
apiVersion: mellanox.com/v1alpha1
kind: NicClusterPolicy
metadata:
  name: nic-cluster-policy
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  {{- with .rdmaSharedDevicePlugin }}
  rdmaSharedDevicePlugin:
    image: k8s-rdma-shared-dev-plugin
    repository: {{ $img.repository }}
    version: {{ $img.version }}
    config: |
      {{- dict "configList" (list (dict "resourceName" .resourceName "rdmaHcaMax" .rdmaHcaMax "selectors" (dict "ifNames" .ifNames))) | toPrettyJson | nindent 6 }}
  {{- end }}
  {{- with .secondaryNetwork }}
  {{- if or .multus .cniPlugins .ipoib }}
  secondaryNetwork:
    {{- if .cniPlugins }}
    cniPlugins:
      image: plugins
      repository: {{ $img.repository }}
      version: {{ $img.version }}
    {{- end }}
    {{- if .multus }}
    multus:
      image: multus-cni
      repository: {{ $img.repository }}
      version: {{ $img.version }}
    {{- end }}
    {{- if .ipoib }}
    ipoib:
      image: ipoib-cni
      repository: {{ $img.repository }}
      version: {{ $img.version }}
    {{- end }}
  {{- end }}
  {{- if .nvIpam }}
  nvIpam:
    image: nvidia-k8s-ipam
    repository: {{ $img.repository }}
    version: {{ $img.version }}
    enableWebhook: false
  {{- end }}
  {{- end }}
{{- end }}

"""#,
        "30-sharing/resourceclaimtemplates.yaml": #"""
{{- /* DRA: one ResourceClaimTemplate per tenant namespace; pods reference it as resourceClaimTemplateName: gpu. */}}
{{- if eq .Values.profile.spec.sharing.model "dra" }}
{{- $class := .Values.profile.spec.sharing.dra.deviceClass }}
{{- range .Values.platform.tenants }}
---
apiVersion: resource.k8s.io/v1
kind: ResourceClaimTemplate
metadata:
  name: gpu
  namespace: {{ .namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  spec:
    devices:
      requests:
      - name: gpu
        exactly:
          deviceClassName: {{ $class }}
          allocationMode: ExactCount
          count: 1
{{- end }}
{{- end }}

"""#,
        "30-sharing/time-slicing-config.yaml": #"""
{{- /* Device-plugin time-slicing config; the GPU Operator release points devicePlugin.config at it. */}}
{{- if eq .Values.profile.spec.sharing.model "time-slicing" }}
{{- with .Values.profile.spec.sharing.timeSlicing }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: time-slicing-config
  namespace: {{ $.Values.profile.spec.gpu.namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
data:
  any: |-
    version: v1
    flags:
      migStrategy: none
    sharing:
      timeSlicing:
        renameByDefault: {{ .renameByDefault }}
        failRequestsGreaterThanOne: {{ .failRequestsGreaterThanOne }}
        resources:
        - name: nvidia.com/gpu
          replicas: {{ .replicas }}
{{- end }}
{{- end }}

"""#,
        "40-scheduling/kueue.yaml": #"""
{{- /* Kueue v1beta2: ResourceFlavors, ClusterQueues (one resource group each, computed by the platform), LocalQueues. */}}
{{- if .Values.profile.spec.scheduling.kueue.enabled }}
{{- range .Values.profile.spec.scheduling.kueue.flavors }}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ResourceFlavor
metadata:
  name: {{ .name }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  {{- with .nodeLabels }}
  nodeLabels:
    {{- toYaml . | nindent 4 }}
  {{- else }}
  {}
  {{- end }}
{{- end }}
{{- range .Values.platform.clusterQueues }}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: ClusterQueue
metadata:
  name: {{ .name }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  {{- with .cohort }}
  cohortName: {{ . }}
  {{- end }}
  namespaceSelector: {}
  resourceGroups:
  - coveredResources:
      {{- toYaml .coveredResources | nindent 6 }}
    flavors:
      {{- toYaml .flavors | nindent 6 }}
{{- end }}
{{- range .Values.profile.spec.scheduling.kueue.localQueues }}
---
apiVersion: kueue.x-k8s.io/v1beta2
kind: LocalQueue
metadata:
  name: {{ .name }}
  namespace: {{ .namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  clusterQueue: {{ .clusterQueue }}
{{- end }}
{{- end }}

"""#,
        "40-scheduling/priorityclasses.yaml": #"""
{{- range .Values.profile.spec.scheduling.priorityClasses }}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: {{ .name }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
value: {{ .value }}
globalDefault: {{ .globalDefault }}
{{- with .description }}
description: {{ . | quote }}
{{- end }}
{{- end }}

"""#,
        "40-scheduling/resourcequotas.yaml": #"""
{{- /* A tenant's GPU quota, on the resource its sharing model advertises (quotaKey computed by the platform). */}}
{{- range .Values.platform.tenants }}
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: gpu-quota
  namespace: {{ .namespace }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  hard:
    {{ .quotaKey }}: {{ .gpus | quote }}
{{- end }}

"""#,
        "40-scheduling/volcano-queues.yaml": #"""
{{- with .Values.profile.spec.scheduling.volcano }}
{{- if .enabled }}
{{- range .queues }}
---
apiVersion: scheduling.volcano.sh/v1beta1
kind: Queue
metadata:
  name: {{ .name }}
  labels:
    {{- include "platform.labels" $ | nindent 4 }}
spec:
  weight: {{ .weight }}
  reclaimable: {{ .reclaimable }}
  {{- with .capability }}
  capability:
    {{- range $k, $v := . }}
    {{ $k }}: {{ $v | quote }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
{{- end }}

"""#,
        "_helpers.tpl": #"""
{{/* Labels on every object the platform's own manifests create. */}}
{{- define "platform.labels" -}}
app.kubernetes.io/managed-by: platform
platform.gpu/profile: {{ .Values.profile.metadata.name }}
{{- end -}}

"""#,
    ]
}
