using System.Text.RegularExpressions;
using Pipeline.Registry;
using Pipeline.Settings;

namespace Pipeline.Remote;

/// <summary>What DeployDev runs on the EC2 host, as one `set -eu` script.</summary>
public sealed partial record DevDeploy(ImageReference Image, DevContainer Container, BuildVersion Build)
{
    [GeneratedRegex(@"^[0-9a-f]{40}\z")]
    private static partial Regex FullSha();

    /// <summary>What the dev container runs now, asked when a deploy's session drops.</summary>
    public string StateProbe() => new ShellScript()
        .Set("container", Container.Name)
        .Body("docker inspect --format \"$container runs {{.Config.Image}} ({{.State.Status}})\" \"$container\" 2>/dev/null || echo \"no $container container\"")
        .ToString();

    /// <summary>
    /// Pull first, so the old container serves during the pull; remove the old container by name
    /// (no "name already in use"); start the new one; wait for /healthz and for /version to report
    /// this version and commit; if that fails in time, show the new container's log, start the
    /// previous image again, and fail. A flock keeps two deploys from interleaving.
    /// </summary>
    public string Script()
    {
        // A dry run's placeholder registry (<REGISTRY>/book-shop:...) is the one reference allowed unchecked.
        var image = Image.ToString();
        if (!Image.Repository.Registry.IsPlaceholder && !ImageGrammar.Reference().IsMatch(image)) throw new ArgumentException($"not an image reference: {image}");
        var commit = Build.Commit.Sha;
        if (!FullSha().IsMatch(commit)) throw new ArgumentException($"not a commit: {commit}");
        Parse.ContainerName(Container.Name);
        Parse.UrlPath(Container.HealthPath);
        Parse.Port(Container.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Parse.Port(Container.AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture));

        return new ShellScript()
            .Set("image", image)
            .Set("container", Container.Name)
            .Set("host_port", Container.HostPort)
            .Set("app_port", Container.AppPort)
            .Set("health_path", Container.HealthPath)
            .Set("timeout", (int)Container.HealthTimeout.TotalSeconds)
            .Set("want_version", $"\"version\": \"{Build.Version}\"")
            .Set("want_commit", $"\"commit\": \"{commit}\"")
            .Body("""
                exec 9>"/tmp/book-shop-deploy-$container.lock"
                if ! flock -n 9; then
                  echo "waiting for another deploy of $container to finish"
                  if ! flock -w 600 9; then echo "another deploy of $container held the lock for 10 minutes" >&2; exit 1; fi
                fi
                echo "pulling $image"
                docker pull --quiet "$image" >/dev/null
                previous="$(docker inspect --format '{{.Config.Image}}' "$container" 2>/dev/null || true)"
                echo "replacing ${previous:-nothing} with $image"
                docker rm --force "$container" >/dev/null 2>&1 || true
                # Loopback only: nginx on 8080 is the way in from outside.
                start() {
                  docker run --detach --name "$container" --restart unless-stopped \
                    --publish "127.0.0.1:$host_port:$app_port" --env "PORT=$app_port" "$1" >/dev/null
                }
                start "$image"
                answers() {
                  curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port$health_path" >/dev/null &&
                  version="$(curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port/version")" &&
                  case "$version" in *"$want_version"*) ;; *) return 1 ;; esac &&
                  case "$version" in *"$want_commit"*) ;; *) return 1 ;; esac
                }
                deadline=$(( $(date +%s) + timeout ))
                until answers; do
                  if [ "$(date +%s)" -ge "$deadline" ]; then
                    echo "$container did not answer $health_path and /version with this build within ${timeout}s; its last log lines:" >&2
                    docker logs --tail 30 "$container" 2>&1 | sed 's/^/  | /' >&2 || true
                    docker rm --force "$container" >/dev/null 2>&1 || true
                    if [ -n "$previous" ]; then
                      start "$previous"
                      # Done only when the previous image answers again: dev is never left down silently.
                      until curl --silent --fail --max-time 2 "http://127.0.0.1:$host_port$health_path" >/dev/null; do
                        if [ "$(date +%s)" -ge $(( deadline + timeout )) ]; then
                          echo "the previous image $previous does not answer either: dev is down" >&2
                          exit 1
                        fi
                        sleep 1
                      done
                      echo "rolled back: $container runs $previous again" >&2
                    fi
                    exit 1
                  fi
                  sleep 1
                done
                echo "$container answers with the new build"
                # Dangling images only: the previous image keeps its tag for the next rollback.
                docker image prune --force >/dev/null
                """)
            .ToString();
    }
}
