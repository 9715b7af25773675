using Pipeline.Kubernetes;
using Pipeline.Settings;
using Pipeline.Versioning;
using Pipeline.Environments;

namespace Pipeline.Remote;

/// <summary>
/// What a rollout runs where kubectl is (on the MicroK8s node over SSH, or on the runner with a
/// kube context): each a `set -eu` script with validated, quoted values.
/// </summary>
public sealed record Rollout(Cluster Target, Registry.PinnedImage? Image, ReleaseManifests Manifests)
{
    /// <summary>The kube context kubectl uses (--context), or null for kubectl's own (the node's).</summary>
    public string? Context { get; init; }

    /// <summary>The kubeconfig file kubectl reads (--kubeconfig), or null for kubectl's own.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Where the check asks for /version: the Service's NodePort on the node's loopback, unless set.</summary>
    public string? VersionUrl { get; init; }

    private string AskedUrl => VersionUrl ?? $"http://127.0.0.1:{Manifests.NodePort}/version";

    private const string EndOfManifests = "BOOK_SHOP_MANIFESTS_END";

    /// <summary>How many answers in a row must come from the release: more than the replicas, so each pod answered.</summary>
    public const int SteadyAnswers = 5;

    /// <summary>The line between the answers and the pods in <see cref="CheckScript"/>'s output.</summary>
    public const string PodsMarker = "--- pods";

    /// <summary>Show the pods and the latest events as the failed rollout left them, then undo it and wait for the undo.</summary>
    private const string UndoFunction = """
        undo() {
          k get pods --namespace "$namespace" --output wide >&2 || true
          k get events --namespace "$namespace" --sort-by=.lastTimestamp 2>&1 | tail -n 20 >&2 || true
          k rollout undo --namespace "$namespace" "deployment/$deployment" >&2 || true
          k rollout status --namespace "$namespace" "deployment/$deployment" "--timeout=$timeout" >&2 || true
        }
        """;

    /// <summary>The Deployment's image and readiness, asked when a rollout's session drops.</summary>
    public string StateProbe() => Start(timeout: false)
        .Body("k get deployment --namespace \"$namespace\" \"$deployment\" --output wide 2>&1 || true")
        .ToString();

    /// <summary>
    /// Apply the rendered manifests (the image already set), `set image` (a no-op then, there
    /// for a Deployment changed by hand), and wait for the rollout. On failure or timeout: undo,
    /// wait for the undo, show the pods and the latest events, and fail.
    /// </summary>
    public string Script()
    {
        if (Manifests.Text.Split('\n').Any(line => line.Trim() == EndOfManifests))
        {
            throw new BuildInputException($"The manifests contain the line {EndOfManifests}, which ends them in the remote script: rename it.");
        }

        return Start(timeout: true)
            .Set("container", Parse.KubernetesName(Target.Container))
            .Set("image", (Image ?? throw new InvalidOperationException("a rollout needs the image")).ToString())
            .Body(UndoFunction)
            .Body($"""
                manifests="$(mktemp)"
                trap 'rm -f "$manifests"' EXIT
                cat >"$manifests" <<'{EndOfManifests}'
                {Manifests.Text.TrimEnd()}
                {EndOfManifests}
                k apply --namespace "$namespace" --filename "$manifests"
                k set image --namespace "$namespace" "deployment/$deployment" "$container=$image"
                if ! k rollout status --namespace "$namespace" "deployment/$deployment" "--timeout=$timeout"; then
                  echo "the rollout of $image did not finish within $timeout; undoing it" >&2
                  undo
                  echo "the rollout of $image did not finish within $timeout and was undone: read the pods and events above, fix, and re-run Promote" >&2
                  exit 1
                fi
                echo "rolled out $image"
                """)
            .ToString();
    }

    /// <summary>
    /// Read-only: asks <see cref="VersionUrl"/> (the Service's NodePort on the node) until it answers with the
    /// release <see cref="SteadyAnswers"/> times in a row (or the time is up), printing each new
    /// answer; then prints the Deployment's pods as JSON after <see cref="PodsMarker"/>.
    /// </summary>
    public string CheckScript(ReleaseVersion version, string commit) => Start(deployment: false, timeout: false)
        .Set("selector", Manifests.PodSelector)
        .Set("version_url", AskedUrl)
        .Set("check_timeout", (int)Target.CheckTimeout.TotalSeconds)
        .Set("want_version", $"\"version\": \"{version}\"")
        .Set("want_commit", $"\"commit\": \"{commit}\"")
        .Body($"""
            deadline=$(( $(date +%s) + check_timeout ))
            steady=0
            last=""
            while [ "$steady" -lt {SteadyAnswers} ]; do
              answer="$(curl --silent --show-error --max-time 2 "$version_url" 2>&1)" || true
              case "$answer" in *"$want_version"*) case "$answer" in *"$want_commit"*) steady=$((steady + 1)) ;; *) steady=0 ;; esac ;; *) steady=0 ;; esac
              if [ "$answer" != "$last" ]; then echo "$version_url answers: $answer"; last="$answer"; fi
              if [ "$steady" -lt {SteadyAnswers} ]; then
                if [ "$(date +%s)" -ge "$deadline" ]; then echo "no steady answer from the release within $check_timeout seconds"; break; fi
                sleep 0.5
              fi
            done
            echo '{PodsMarker}'
            k get pods --namespace "$namespace" --selector "$selector" --output json || echo "the pods could not be listed"
            """)
        .ToString();

    /// <summary>
    /// Read-only: one answer of <see cref="VersionUrl"/>, then the Deployment's pods as JSON after
    /// <see cref="PodsMarker"/>: what the environment runs now, in <see cref="CheckScript"/>'s format.
    /// </summary>
    public string WhatRunsScript() => Start(deployment: false, timeout: false)
        .Set("selector", Manifests.PodSelector)
        .Set("version_url", AskedUrl)
        .Body($"""
            echo "$version_url answers: $(curl --silent --show-error --max-time 2 "$version_url" 2>&1 || true)"
            echo '{PodsMarker}'
            k get pods --namespace "$namespace" --selector "$selector" --output json || echo "the pods could not be listed"
            """)
        .ToString();

    /// <summary>Puts the previous revision back after a check that production does not serve the release.</summary>
    public string UndoScript() => Start(timeout: true)
        .Body(UndoFunction)
        .Body("""
            echo "undoing the rollout of deployment/$deployment" >&2
            undo
            """)
        .ToString();

    /// <summary>The namespace, kubectl as `k`, and of the Deployment and the rollout's timeout what the script uses (no variable set in vain).</summary>
    private ShellScript Start(bool timeout, bool deployment = true)
    {
        var script = new ShellScript().Set("namespace", Parse.KubernetesName(Target.Namespace));
        if (deployment) script.Set("deployment", Parse.KubernetesName(Target.Deployment));
        if (timeout) script.Set("timeout", $"{(int)Target.RolloutTimeout.TotalSeconds}s");
        if (Kubeconfig is not null) script.Set("kubeconfig", Parse.FilePath(Kubeconfig));
        // A dry run without the context plans with its placeholder (<CLUSTER_CONTEXT>).
        if (Context is not null) script.Set("context", Placeholders.IsPlaceholder(Context) ? Context : Parse.KubeContext(Context));
        // Validated words only (letters, digits, / . _ -): safe to leave unquoted, so it splits.
        var options = (Kubeconfig is null ? "" : " --kubeconfig \"$kubeconfig\"") + (Context is null ? "" : " --context \"$context\"");
        return script.Body($"k() {{ {Parse.CommandWords(Target.Kubectl)}{options} \"$@\"; }}");
    }
}
