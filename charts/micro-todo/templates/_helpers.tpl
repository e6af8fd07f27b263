{{/* Names: "<release>" when it already contains the chart name, else "<release>-micro-todo". */}}
{{- define "micro-todo.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "micro-todo.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<component>"; fullname is cut at 50 so this fits 63. */}}
{{- define "micro-todo.componentName" -}}
{{- printf "%s-%s" (include "micro-todo.fullname" .root) .component -}}
{{- end -}}

{{/* Labels a pod is selected by. Needs dict root, component. */}}
{{- define "micro-todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "micro-todo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The recommended app.kubernetes.io labels. Needs dict root, component. */}}
{{- define "micro-todo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{ include "micro-todo.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: micro-todo
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end -}}

{{/* Every pod of this release, for NetworkPolicy peers. */}}
{{- define "micro-todo.releasePods" -}}
app.kubernetes.io/name: {{ include "micro-todo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Image of a micro-todo service. Needs dict root, image (the component's). */}}
{{- define "micro-todo.image" -}}
{{- $global := .root.Values.image -}}
{{- $tag := .image.tag | default $global.tag | default .root.Chart.AppVersion | toString -}}
{{- if $global.registry -}}
{{- printf "%s/%s:%s" $global.registry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security: non-root, the runtime's default seccomp profile. */}}
{{- define "micro-todo.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security: read-only root, no privilege, no capability. */}}
{{- define "micro-todo.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Seconds Kubernetes waits after the preStop hook starts before SIGKILL:
the preStop sleep, the drain, and up to 5 s for each of runService's two
shutdown hooks (deregister, close stores).
*/}}
{{- define "micro-todo.terminationGracePeriodSeconds" -}}
{{- add .Values.shutdown.preStopSeconds .Values.shutdown.drainSeconds 10 -}}
{{- end -}}

{{/* Keeps the container serving while its endpoint leaves the EndpointSlice. */}}
{{- define "micro-todo.lifecycle" -}}
preStop:
  exec:
    command: ["sleep", "{{ .Values.shutdown.preStopSeconds }}"]
{{- end -}}

{{/* Variables every micro-todo service reads (kit's commonConfig). */}}
{{- define "micro-todo.commonEnv" -}}
- name: MICROTODO_INSTANCE
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MICROTODO_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: MICROTODO_SHUTDOWN_TIMEOUT_MS
  value: {{ mul .Values.shutdown.drainSeconds 1000 | quote }}
{{- end -}}

{{/*
Variables of a service behind the registry: bind every interface, let
Kubernetes announce the pod (its Service's EndpointSlice) instead of
registering, and resolve other services through the internal listener.
Needs dict root, port.
*/}}
{{- define "micro-todo.serviceEnv" -}}
{{ include "micro-todo.commonEnv" .root }}
- name: MICROTODO_HOST
  value: "0.0.0.0"
- name: MICROTODO_PORT
  value: {{ .port | quote }}
- name: MICROTODO_SELF_REGISTER
  value: "false"
- name: MICROTODO_REGISTRY_URL
  value: {{ printf "http://%s:8081" (include "micro-todo.componentName" (dict "root" .root "component" "registry-internal")) | quote }}
- name: MICROTODO_DATA_DIR
  value: /data
{{- end -}}

{{/* MICROTODO_REDIS_URL, with the password from the internal Secret. */}}
{{- define "micro-todo.redisEnv" -}}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "micro-todo.componentName" (dict "root" . "component" "internal") }}
      key: redis-password
- name: MICROTODO_REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379" (include "micro-todo.componentName" (dict "root" . "component" "redis")) | quote }}
{{- end -}}

{{/* grpc.health.v1 probes on the service's port (h2c). Needs port. */}}
{{- define "micro-todo.grpcProbes" -}}
readinessProbe:
  grpc:
    port: {{ .port }}
  periodSeconds: 5
  failureThreshold: 2
livenessProbe:
  grpc:
    port: {{ .port }}
  initialDelaySeconds: 10
  periodSeconds: 10
  failureThreshold: 3
{{- end -}}

{{/* Spreads replicas of a component over nodes when the cluster has several. */}}
{{- define "micro-todo.topologySpread" -}}
{{- if gt (int .replicas) 1 -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "micro-todo.selectorLabels" . | nindent 8 }}
{{- end -}}
{{- end -}}

{{/*
The pod template of auth, todo and admin (Deployments) and logger
(StatefulSet). Needs dict root, component, values (the component's),
port, env (extra variables, YAML list or ""), annotations (extra pod
annotations), dataVolume (true: the caller's volumeClaimTemplate "data";
false: an emptyDir).
*/}}
{{- define "micro-todo.servicePod" -}}
metadata:
  labels:
    {{- include "micro-todo.labels" . | nindent 4 }}
  {{- $annotations := merge (dict) (.annotations | default dict) .values.podAnnotations }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  automountServiceAccountToken: false
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ include "micro-todo.terminationGracePeriodSeconds" .root }}
  securityContext:
    {{- include "micro-todo.podSecurityContext" (dict "uid" 1000) | nindent 4 }}
  {{- with .root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with include "micro-todo.topologySpread" (dict "root" .root "component" .component "replicas" .values.replicas) }}
  {{- . | nindent 2 }}
  {{- end }}
  containers:
    - name: {{ .component }}
      image: {{ include "micro-todo.image" (dict "root" .root "image" .values.image) | quote }}
      imagePullPolicy: {{ .root.Values.image.pullPolicy }}
      ports:
        - name: grpc
          containerPort: {{ .port }}
          protocol: TCP
      env:
        {{- include "micro-todo.serviceEnv" (dict "root" .root "port" .port) | nindent 8 }}
        {{- with .env }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- include "micro-todo.grpcProbes" (dict "port" .port) | nindent 6 }}
      lifecycle:
        {{- include "micro-todo.lifecycle" .root | nindent 8 }}
      securityContext:
        {{- include "micro-todo.containerSecurityContext" . | nindent 8 }}
      resources:
        {{- toYaml .values.resources | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: /data
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 64Mi
    {{- if not .dataVolume }}
    - name: data
      emptyDir:
        sizeLimit: 64Mi
    {{- end }}
{{- end -}}

{{/*
A Deployment of a service behind the registry. Needs the servicePod dict.
maxUnavailable 0: a rolling update starts a new pod and waits for it to
be ready before stopping an old one.
*/}}
{{- define "micro-todo.serviceDeployment" -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "micro-todo.componentName" . }}
  labels:
    {{- include "micro-todo.labels" . | nindent 4 }}
spec:
  replicas: {{ .values.replicas }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "micro-todo.selectorLabels" . | nindent 6 }}
  template:
    {{- include "micro-todo.servicePod" . | nindent 4 }}
{{- end -}}
