using System.Text.RegularExpressions;
using Pipeline.Registry;
using Pipeline.Settings;
using Pipeline.Environments;

namespace Pipeline.Remote;

/// <summary>What a docker host runs to replace its container (DeployDev on the EC2 host), as `set -eu` scripts.</summary>
public sealed partial record ContainerSwap(PinnedImage Image, AppContainer Container, Versioning.ReleaseVersion Version, string Commit)
{
    [GeneratedRegex(@"^[0-9a-f]{40}\z")]
    private static partial Regex FullSha();

    /// <summary>What the dev container and the deploy's backup container run now, asked when a deploy's session drops.</summary>
    public string StateProbe() => new ShellScript()
        .Set("container", Container.Name)
        .Body("""
            for name in "$container" "$container-next"; do
              docker inspect --format "$name runs {{.Config.Image}} ({{.State.Status}})" "$name" 2>/dev/null || echo "no $name container"
            done
            """)
        .ToString();

    /// <summary>
    /// Read-only: the repository digests of the image the container runs, and its /version on the
    /// host port, one line each ("digests: ...", "answers: ..."); what the deploy is verified by.
    /// </summary>
    public static string WhatRunsScript(AppContainer container) => new ShellScript()
        .Set("container", Parse.ContainerName(container.Name))
        .Set("host_port", container.HostPort)
        .Body("""
            error="$(mktemp)"
            trap 'rm -f "$error"' EXIT
            if ! image_id="$(docker inspect --format '{{.Image}}' "$container" 2>"$error")"; then
              # No such container: nothing runs. Anything else (no access to docker) is an error, not "nothing".
              if grep -q "No such object" "$error"; then echo "digests: "; echo "answers: "; exit 0; fi
              cat "$error" >&2
              exit 1
            fi
            echo "digests: $(docker image inspect --format '{{join .RepoDigests " "}}' "$image_id")"
            echo "answers: $(curl --silent --max-time 2 "http://127.0.0.1:$host_port/version" || true)"
            """)
        .ToString();

    /// <summary>
    /// A swap with no failed request through nginx, which sends to the host port and, when that
    /// refuses, to the backup port (infra/nginx-dev.conf). Pull first, while the old container
    /// serves: by the digest that was verified, then tagged locally, so the tag the container
    /// names cannot have moved in the registry between the verification and the pull. Start the new image on the backup port and wait for /healthz and for /version to
    /// report this version and commit: if it does not in time, show its log, remove it, and fail;
    /// the old container served throughout and the new build never took traffic. Otherwise stop
    /// the old container (SIGTERM and its grace period: requests in flight finish) while the
    /// backup port serves, start the new image as the container on the host port, wait for it,
    /// and remove the backup container, then remove this repository's older images but the one
    /// before (a rollback's). A flock keeps two deploys from interleaving.
    /// </summary>
    public string Script()
    {
        // A dry run's placeholder registry (<REGISTRY>/book-shop:...) is the one reference allowed unchecked.
        var image = Image.Reference.ToString();
        var digest = Image.Digest.Value;
        if (!Image.Reference.Repository.Registry.IsPlaceholder && !ImageGrammar.Reference().IsMatch(image)) throw new ArgumentException($"not an image reference: {image}");
        if (!Settings.Placeholders.IsPlaceholder(digest) && !ImageGrammar.Digest().IsMatch(digest)) throw new ArgumentException($"not a digest: {digest}");
        var commit = Commit;
        if (!FullSha().IsMatch(commit)) throw new ArgumentException($"not a commit: {commit}");
        Parse.ContainerName(Container.Name);
        Parse.UrlPath(Container.HealthPath);
        foreach (var port in new[] { Container.HostPort, Container.BackupPort, Container.AppPort })
        {
            Parse.Port(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return new ShellScript()
            .Set("image", image)
            .Set("repository", Image.Reference.Repository.ToString())
            .Set("digest", digest)
            .Set("container", Container.Name)
            .Set("host_port", Container.HostPort)
            .Set("backup_port", Container.BackupPort)
            .Set("app_port", Container.AppPort)
            .Set("health_path", Container.HealthPath)
            .Set("timeout", (int)Container.HealthTimeout.TotalSeconds)
            .Set("want_version", $"\"version\": \"{Version}\"")
            .Set("want_commit", $"\"commit\": \"{commit}\"")
            .Body("""
                exec 9>"/tmp/book-shop-deploy-$container.lock"
                if ! flock -n 9; then
                  echo "waiting for another deploy of $container to finish"
                  if ! flock -w 600 9; then echo "another deploy of $container held the lock for 10 minutes" >&2; exit 1; fi
                fi
                echo "pulling $image by its verified digest $digest"
                docker pull --quiet "$repository@$digest" >/dev/null
                docker tag "$repository@$digest" "$image"
                previous="$(docker inspect --format '{{.Config.Image}}' "$container" 2>/dev/null || true)"
                next="$container-next"
                # Loopback only: nginx on 8080 is the way in from outside.
                start() { # name, host port, image
                  docker run --detach --name "$1" --restart unless-stopped \
                    --publish "127.0.0.1:$2:$app_port" --env "PORT=$app_port" "$3" >/dev/null
                }
                answers() { # port
                  curl --silent --fail --max-time 2 "http://127.0.0.1:$1$health_path" >/dev/null &&
                  version="$(curl --silent --fail --max-time 2 "http://127.0.0.1:$1/version")" &&
                  case "$version" in *"$want_version"*) ;; *) return 1 ;; esac &&
                  case "$version" in *"$want_commit"*) ;; *) return 1 ;; esac
                }
                comes_up() { # port: answers with this build within the timeout
                  deadline=$(( $(date +%s) + timeout ))
                  until answers "$1"; do
                    if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
                    sleep 0.05
                  done
                }
                give_up_on() { # name
                  echo "$1 did not answer $health_path and /version with this build within ${timeout}s; its last log lines:" >&2
                  docker logs --tail 30 "$1" 2>&1 | sed 's/^/  | /' >&2 || true
                  docker rm --force "$1" >/dev/null 2>&1 || true
                }
                # A backup container left by an interrupted deploy goes first.
                docker rm --force "$next" >/dev/null 2>&1 || true
                echo "checking $image on the backup port $backup_port"
                start "$next" "$backup_port" "$image"
                if ! comes_up "$backup_port"; then
                  give_up_on "$next"
                  echo "the new build never took traffic; $container still runs ${previous:-nothing}" >&2
                  exit 1
                fi
                echo "replacing ${previous:-nothing} with $image; the backup port serves meanwhile"
                docker stop --timeout 10 "$container" >/dev/null 2>&1 || true
                docker rm --force "$container" >/dev/null 2>&1 || true
                start "$container" "$host_port" "$image"
                if ! comes_up "$host_port"; then
                  give_up_on "$container"
                  if [ -n "$previous" ]; then
                    start "$container" "$host_port" "$previous"
                    # Done only when the previous image answers again: dev is never left down silently.
                    until curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port$health_path" >/dev/null; do
                      if [ "$(date +%s)" -ge $(( deadline + timeout )) ]; then
                        echo "the previous image $previous does not answer either: dev is down" >&2
                        exit 1
                      fi
                      sleep 0.2
                    done
                    echo "rolled back: $container runs $previous again" >&2
                  fi
                  docker stop --timeout 10 "$next" >/dev/null 2>&1 || true
                  docker rm --force "$next" >/dev/null 2>&1 || true
                  exit 1
                fi
                docker stop --timeout 10 "$next" >/dev/null
                docker rm --force "$next" >/dev/null
                echo "$container answers with the new build"
                # Every snapshot has a tag of its own, so dangling-only pruning never frees a deployed
                # image and the disk MicroK8s shares fills. Of this repository's images, keep the one
                # running now and the one before it (a rollback's); an image still in use stays.
                # --no-prune: an image pulled here has no parent images, and one built on this
                # engine shares its parents with other builds, which may be using them right now.
                keep_now="$(docker image inspect --format '{{.Id}}' "$image")"
                keep_before="$(docker image inspect --format '{{.Id}}' "$previous" 2>/dev/null || true)"
                docker image ls --no-trunc --format '{{.Repository}} {{.Tag}} {{.ID}}' | while read -r name tag id; do
                  if [ "$name" != "$repository" ] || [ "$tag" = "<none>" ] || [ "$id" = "$keep_now" ] || [ "$id" = "$keep_before" ]; then continue; fi
                  docker image rm --no-prune "$name:$tag" >/dev/null 2>&1 || echo "kept $name:$tag: still in use"
                done
                """)
            .ToString();
    }
}
