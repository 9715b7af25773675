#!/usr/bin/env bash
# Starts the end-to-end test environment on loopback, from Debian packages (.ci/run installs
# them: docker.io docker-registry openssh-server debootstrap apache2-utils):
#   - a Docker engine (reused when one already answers),
#   - the application's base image local/python:3.11-bookworm, made with debootstrap once per
#     machine (about 75 s) and kept in the engine,
#   - a registry (distribution) with htpasswd auth,
#   - an OpenSSH server whose user may use that same Docker engine,
#   - the ECR Public double (ecr_public_double.py),
#   - a second registry in token mode, as ECR Public is: distribution behind nginx (which answers
#     a refused token with 400 DENIED, as ECR Public does), with the double of ECR Public's token
#     service (ecr_public_token_double.py; Debian packages nginx, python3-cryptography),
#   - nginx with the very infra/nginx-dev.conf of the EC2 host, on 8080 in front of the dev
#     containers on 4000 and 4001 (the tests that go through it use those ports),
#   - the GitHub double (github_double.py),
#   - the stand-in of the MicroK8s node (microk8s_cluster.py: pods run with podman, the real
#     kubectl client reads every manifest; Debian packages podman, catatonit, kubectl).
# Writes .build/test-env/env.json for the tests; tests/env/stop.sh stops what this started.
set -euo pipefail
trap 'echo "test environment: failed at start.sh line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
state="$root/.build/test-env"
mkdir -p "$state"
cd "$state"

registry_port="${TEST_REGISTRY_PORT:-5123}"
ssh_port="${TEST_SSH_PORT:-2222}"
ecr_port="${TEST_ECR_PORT:-5124}"
token_registry_port="${TEST_TOKEN_REGISTRY_PORT:-5126}"   # nginx: the registry as clients see it
token_backend_port="${TEST_TOKEN_BACKEND_PORT:-5127}"     # distribution behind it
token_service_port="${TEST_TOKEN_SERVICE_PORT:-5128}"     # the token service double
ssh_user=deployer
# Promote's runs log in as users of their own: the tests that run Promote (two processes, one
# per NodePort) and the rest (a third) run side by side, and each counts, or cuts, only its own
# user's SSH sessions.
promote_ssh_user=promoter
aside_ssh_user=releaser
base_image=local/python:3.11-bookworm

need() { command -v "$1" >/dev/null 2>&1 || { echo "test environment: $1 is not installed (apt-get install $2)" >&2; exit 3; }; }
need dockerd docker.io; need docker-registry docker-registry; need /usr/sbin/sshd openssh-server
need debootstrap debootstrap; need htpasswd apache2-utils
need podman podman; need catatonit catatonit; need kubectl kubectl; need nginx nginx; need sudo sudo
python3 -c 'import cryptography' 2>/dev/null || { echo "test environment: python3-cryptography is not installed (apt-get install python3-cryptography)" >&2; exit 3; }

# Ours and running: reuse it. A port held by something else (another checkout's environment) is
# refused, since its users and keys are not this one's.
ours() { [[ -f "$state/$1.pid" ]] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
    echo "test environment: port $2 (the $1) is held by another process; stop it (another checkout's tests/env/stop.sh?) or set its TEST_*_PORT" >&2
    exit 5
  fi
}

wait_for() { # description, command...
  local what="$1"; shift
  for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "test environment: $what did not start" >&2; exit 4
}

# An nginx of the environment's own, not the machine's: its pid, logs and temporary files are
# under $state, named after it (NAME.pid for ours/stop.sh). The http block's body is read from
# standard input. Writes $state/NAME.conf.
nginx_conf() { # name
  mkdir -p "$state/$1"
  {
    cat <<NGINX
worker_processes 1;
pid $state/$1.pid;
error_log $state/$1-error.log;
events {}
http {
  access_log $state/$1-access.log;
  client_body_temp_path $state/$1/body;
  proxy_temp_path $state/$1/proxy;
  fastcgi_temp_path $state/$1/fastcgi;
  uwsgi_temp_path $state/$1/uwsgi;
  scgi_temp_path $state/$1/scgi;
NGINX
    cat
    echo "}"
  } >"$state/$1.conf"
}

start_nginx() { # name, port, description
  if ! ours "$1"; then
    port_free "$3" "$2"
    nginx -t -q -c "$state/$1.conf" -p "$state/$1"
    nginx -c "$state/$1.conf" -p "$state/$1"
    wait_for "$3" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2"
  fi
}

# 1. Docker engine.
if ! docker info >/dev/null 2>&1; then
  mkdir -p /var/lib/docker
  nohup dockerd --data-root /var/lib/docker -H unix:///var/run/docker.sock --bip 10.213.77.1/24 \
    --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 &
  echo started >"$state/dockerd.ours"
  wait_for "dockerd" docker info
fi

# 2. Base image (no registry of base images is reachable here).
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  rootfs="$(mktemp -d)"
  debootstrap --variant=minbase --include=python3 bookworm "$rootfs" http://deb.debian.org/debian >"$state/debootstrap.log" 2>&1
  tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
  rm -rf "$rootfs"
fi

# 3. Registry with htpasswd: user AWS (what ECR Public's token decodes to) and a plain user.
[[ -f secrets.env ]] || cat >secrets.env <<SECRETS
REGISTRY_PASSWORD_AWS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
REGISTRY_PASSWORD_BASIC=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
AWS_SECRET=$(head -c 30 /dev/urandom | base64 | tr -d '/+=')
SECRETS
source ./secrets.env
htpasswd -Bbn AWS "$REGISTRY_PASSWORD_AWS" >htpasswd
htpasswd -Bbn tester "$REGISTRY_PASSWORD_BASIC" >>htpasswd
cat >registry.yml <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $state/registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$registry_port
auth:
  htpasswd:
    realm: test-registry
    path: $state/htpasswd
YAML
if ! ours registry; then
  port_free registry "$registry_port"
  nohup docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
  echo $! >"$state/registry.pid"
  wait_for "the registry" curl -sf -o /dev/null -u "tester:$REGISTRY_PASSWORD_BASIC" "http://127.0.0.1:$registry_port/v2/"
fi

# 4. SSH server: a deploy user in the docker group, the promote users (the MicroK8s stand-in's
# socket is open to every user, as `sudo microk8s` would be; the second one, whose tests also ask
# what dev runs, in the docker group), keys made here.
id "$ssh_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups docker "$ssh_user"
id "$promote_ssh_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$promote_ssh_user"
id "$aside_ssh_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --groups docker "$aside_ssh_user"
# "*": no password can log in, but the account is not locked (sshd refuses locked ones without PAM).
usermod -p "*" "$ssh_user"
usermod -p "*" "$promote_ssh_user"
usermod -p "*" "$aside_ssh_user"
# All three kinds of host key an Ubuntu host has: a pin of any one of them must work.
[[ -f ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -f ssh_host_ed25519_key
[[ -f ssh_host_ecdsa_key ]] || ssh-keygen -q -t ecdsa -b 256 -N '' -f ssh_host_ecdsa_key
[[ -f ssh_host_rsa_key ]] || ssh-keygen -q -t rsa -b 3072 -N '' -f ssh_host_rsa_key
[[ -f client_key ]] || ssh-keygen -q -t ed25519 -N '' -C deployer@tests -f client_key
cp client_key.pub authorized_keys
chmod 600 ssh_host_ed25519_key ssh_host_ecdsa_key ssh_host_rsa_key client_key
# As an EC2 host's default user, the deploy user may run what DeployDev runs with `sudo -n` to
# keep the dev site current (install it, check and reload nginx), and nothing else here.
cat >/etc/sudoers.d/book-shop-tests <<SUDOERS
$ssh_user ALL=(root) NOPASSWD: /usr/bin/install, /bin/install, /usr/sbin/nginx, /usr/bin/rm, /bin/rm
SUDOERS
chmod 440 /etc/sudoers.d/book-shop-tests
visudo -c -q -f /etc/sudoers.d/book-shop-tests
cat >sshd_config <<CONF
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $state/ssh_host_ed25519_key
HostKey $state/ssh_host_ecdsa_key
HostKey $state/ssh_host_rsa_key
AuthorizedKeysFile $state/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes no
UsePAM no
PidFile $state/sshd.pid
AllowUsers $ssh_user $promote_ssh_user $aside_ssh_user
CONF
mkdir -p /run/sshd
if ! ours sshd; then
  port_free "SSH server" "$ssh_port"
  /usr/sbin/sshd -f "$state/sshd_config" -E "$state/sshd.log"
  wait_for "sshd" bash -c "exec 3<>/dev/tcp/127.0.0.1/$ssh_port"
fi

# The host must be able to pull: ECR Public needs nothing, this registry a login, done once as
# an EC2 host's owner would (README: the remote host's requirements).
printf '%s' "$REGISTRY_PASSWORD_BASIC" | su -s /bin/sh "$ssh_user" -c \
  "docker login --username tester --password-stdin 127.0.0.1:$registry_port" >/dev/null 2>&1

# 5. ECR Public double.
if ! ours ecr-public; then
  port_free "ECR Public double" "$ecr_port"
  nohup python3 "$root/tests/env/ecr_public_double.py" "$ecr_port" AKIDTESTBOOKSHOP "$AWS_SECRET" "$REGISTRY_PASSWORD_AWS" \
    "$state/ecr-public.log" >"$state/ecr-public.out" 2>&1 &
  echo $! >"$state/ecr-public.pid"
  wait_for "the ECR Public double" curl -s -o /dev/null "http://127.0.0.1:$ecr_port/"
fi

# 5b. The token-mode registry. The token service makes its signing certificate; the registry
# trusts tokens signed with it; nginx in front sends /token to the service and turns the
# registry's 401 for a refused token (error="invalid_token") into ECR Public's 400 DENIED.
token_lifetime="${TEST_TOKEN_LIFETIME:-60}"
if ! ours token-service; then
  port_free "token service double" "$token_service_port"
  rm -f token-service.pem
  nohup python3 "$root/tests/env/ecr_public_token_double.py" "$token_service_port" test-ecr-public-issuer test-ecr-public \
    "$REGISTRY_PASSWORD_AWS" "$state/token-service.pem" "$state/token-service.log" "$token_lifetime" >"$state/token-service.out" 2>&1 &
  echo $! >"$state/token-service.pid"
  wait_for "the token service double" bash -c "test -s '$state/token-service.pem' && exec 3<>/dev/tcp/127.0.0.1/$token_service_port"
  # A registry still running trusts the previous certificate: restart it below.
  if ours token-registry; then kill "$(cat "$state/token-registry.pid")"; rm -f "$state/token-registry.pid"; sleep 1; fi
fi
cat >token-registry.yml <<YAML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $state/token-registry-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$token_backend_port
auth:
  token:
    realm: http://127.0.0.1:$token_registry_port/token
    service: test-ecr-public
    issuer: test-ecr-public-issuer
    rootcertbundle: $state/token-service.pem
YAML
if ! ours token-registry; then
  port_free "token-mode registry" "$token_backend_port"
  nohup docker-registry serve "$state/token-registry.yml" >"$state/token-registry.log" 2>&1 &
  echo $! >"$state/token-registry.pid"
  wait_for "the token-mode registry" bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$token_backend_port/v2/ | grep -q 401"
fi
nginx_conf token-front <<NGINX
  map \$upstream_http_www_authenticate \$token_refused { ~invalid_token 1; default 0; }
  server {
    listen 127.0.0.1:$token_registry_port;
    client_max_body_size 0;
    proxy_http_version 1.1;
    proxy_request_buffering off;
    proxy_buffering off;
    location /token { proxy_pass http://127.0.0.1:$token_service_port; }
    location / {
      proxy_pass http://127.0.0.1:$token_backend_port;
      proxy_set_header Host \$http_host;
      proxy_intercept_errors on;
      error_page 401 = @unauthorized;
    }
    location @unauthorized {
      # The registry's own headers (its challenge among them) are kept.
      default_type application/json;
      add_header Docker-Distribution-Api-Version registry/2.0 always;
      if (\$token_refused) {
        return 400 '{"errors":[{"code":"DENIED","message":"Your authorization token has expired. Reauthenticate and try again."}]}';
      }
      return 401 '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}';
    }
  }
NGINX
start_nginx token-front "$token_registry_port" "the token-mode registry front (nginx)"
wait_for "the token-mode registry through its front" bash -c "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$token_registry_port/v2/ | grep -q 401"

# 5c. The dev site's nginx, in an http block of the test's own (the Debian package's
# configuration, as cloud-init leaves it, is the same http block around conf.d/*.conf). DeployDev
# installs infra/nginx-dev.conf into dev-site/ over SSH, as on the host; the first start puts it
# there as a deployed host has it, so that nginx listens on 8080 from the start.
dev_nginx_port=8080
mkdir -p "$state/dev-site"
chmod 755 "$state/dev-site"
[[ -f "$state/dev-site/book-shop-dev.conf" ]] || install -m 644 "$root/infra/nginx-dev.conf" "$state/dev-site/book-shop-dev.conf"
nginx_conf dev-nginx <<NGINX
  include $state/dev-site/*.conf;
NGINX
start_nginx dev-nginx "$dev_nginx_port" "the dev site's nginx"

# 6. GitHub double (the Release task's endpoints, checked against GitHub's description).
github_port="${TEST_GITHUB_PORT:-5125}"
[[ -n "${GITHUB_DOUBLE_TOKEN:-}" ]] || GITHUB_DOUBLE_TOKEN="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
grep -q '^GITHUB_DOUBLE_TOKEN=' secrets.env || echo "GITHUB_DOUBLE_TOKEN=$GITHUB_DOUBLE_TOKEN" >>secrets.env
source ./secrets.env
if ! ours github; then
  port_free "GitHub double" "$github_port"
  nohup python3 "$root/tests/env/github_double.py" "$github_port" "$GITHUB_DOUBLE_TOKEN" "$state/github.log" >"$state/github.out" 2>&1 &
  echo $! >"$state/github.pid"
  wait_for "the GitHub double" curl -s -o /dev/null "http://127.0.0.1:$github_port/_state/x/y"
fi

# 7. The MicroK8s node's stand-in, run as root like the real one: pods run with podman, which
# here needs a configuration of its own (runc, cgroupfs, a file event log, ulimits below the
# host's; the machine's own configuration stays untouched). The node pulls from the registry
# with a login of its own, as MicroK8s' containerd would be configured by the host's owner. The
# deploy user reaches it through tests/env/microk8s, the `microk8s kubectl` of the tests.
cat >containers.conf <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
export CONTAINERS_CONF="$state/containers.conf"
mkdir -p "$state/microk8s"
chmod 755 "$state" "$state/microk8s" "$root/tests/env/microk8s"
printf '%s' "$REGISTRY_PASSWORD_BASIC" | podman login --authfile "$state/microk8s-auth.json" --tls-verify=false \
  --username tester --password-stdin "127.0.0.1:$registry_port" >/dev/null
chmod 600 "$state/microk8s-auth.json"
# The policy controller reads signatures with a login of its own (its service account's pull
# secret, in a cluster), which the tests that log the node out leave alone.
install -m 600 "$state/microk8s-auth.json" "$state/microk8s/policy-controller-auth.json"
# The node admits only signed images, as a cluster with sigstore's policy-controller does: the
# repository's own infra/cluster-image-policy.yaml, its glob set to the test registries and its key
# to the tests' (tests/keys/test-signing.pub), the two values a team fills in.
python3 - "$root/infra/cluster-image-policy.yaml" "$root/tests/keys/test-signing.pub" "$state/microk8s/image-policy.yaml" \
  "127.0.0.1:$registry_port/**" "127.0.0.1:$token_registry_port/**" <<'PY'
import sys, yaml
template, key, out, *globs = sys.argv[1:]
policy = yaml.safe_load(open(template))
policy["spec"]["images"] = [{"glob": glob} for glob in globs]
policy["spec"]["authorities"][0]["key"]["data"] = open(key).read()
yaml.safe_dump(policy, open(out, "w"), sort_keys=False)
PY
if ! ours microk8s; then
  nohup python3 "$root/tests/env/microk8s_cluster.py" "$state/microk8s" "$state/microk8s-auth.json" "$state/microk8s/image-policy.yaml" \
    "$state/microk8s/policy-controller-auth.json" >"$state/microk8s.out" 2>&1 &
  echo $! >"$state/microk8s.pid"
  wait_for "the MicroK8s stand-in" test -S "$state/microk8s/api.sock"
fi

python3 - "$state" <<PY
import json, sys
state = sys.argv[1]
json.dump({
    "baseImage": "$base_image",
    "registry": "127.0.0.1:$registry_port",
    "registryLog": state + "/registry.log",
    "registryUsername": "tester",
    "registryPassword": "$REGISTRY_PASSWORD_BASIC",
    "ecrRegistryPassword": "$REGISTRY_PASSWORD_AWS",
    "ecrEndpoint": "http://127.0.0.1:$ecr_port",
    "ecrLog": state + "/ecr-public.log",
    "tokenRegistry": "127.0.0.1:$token_registry_port",
    "devNginxUrl": "http://127.0.0.1:$dev_nginx_port/",
    "tokenServiceLog": state + "/token-service.log",
    "tokenServiceControl": "http://127.0.0.1:$token_service_port/",
    "awsAccessKeyId": "AKIDTESTBOOKSHOP",
    "awsSecretAccessKey": "$AWS_SECRET",
    "sshHost": "127.0.0.1",
    "sshPort": $ssh_port,
    "sshUser": "$ssh_user",
    "promoteSshUser": "$promote_ssh_user",
    "asideSshUser": "$aside_ssh_user",
    "sshKeyFile": state + "/client_key",
    "sshHostKeyLine": "127.0.0.1 " + " ".join(open(state + "/ssh_host_ed25519_key.pub").read().split()[:2]),
    "sshHostKeyLines": ["127.0.0.1 " + " ".join(open(state + "/ssh_host_" + kind + "_key.pub").read().split()[:2]) for kind in ("ed25519", "ecdsa", "rsa")],
    "devNginxSite": state + "/dev-site/book-shop-dev.conf",
    "devNginxConf": state + "/dev-nginx.conf",
    "sshdLog": state + "/sshd.log",
    "gitHubApiUrl": "http://127.0.0.1:$github_port/api/v3/",
    "gitHubStateUrl": "http://127.0.0.1:$github_port/_state/",
    "gitHubToken": "$GITHUB_DOUBLE_TOKEN",
    "microk8s": "$root/tests/env/microk8s",
    "microk8sState": state + "/microk8s",
    "microk8sAuthFile": state + "/microk8s-auth.json",
    "containersConf": state + "/containers.conf",
}, open(state + "/env.json", "w"), indent=2)
PY
echo "test environment ready: registry 127.0.0.1:$registry_port, ssh users $ssh_user, $promote_ssh_user and $aside_ssh_user on 127.0.0.1:$ssh_port, ECR Public double 127.0.0.1:$ecr_port, GitHub double 127.0.0.1:$github_port, MicroK8s stand-in $state/microk8s"
