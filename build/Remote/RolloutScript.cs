using Pipeline.Settings;

namespace Pipeline.Remote;

/// <summary>What Rollout runs on the EC2 host, as one `set -eu` script.</summary>
public sealed record Rollout(string Kubectl, string Namespace, string Deployment, string Container, string Image, TimeSpan Timeout, string Manifests)
{
    private const string EndOfManifests = "BOOK_SHOP_MANIFESTS_END";

    /// <summary>The Deployment's image and readiness, asked when a rollout's session drops.</summary>
    public string StateProbe() => new ShellScript()
        .Set("namespace", Parse.KubernetesName(Namespace))
        .Set("deployment", Deployment)
        .Body($"{Parse.CommandWords(Kubectl)} get deployment --namespace \"$namespace\" \"$deployment\" --output wide 2>&1 || true")
        .ToString();

    /// <summary>
    /// Apply the rendered manifests (the image already set), `set image` (a no-op then, there
    /// for a Deployment changed by hand), and wait for the rollout. On failure or timeout: undo,
    /// wait for the undo, show the pods and the latest events, and fail.
    /// </summary>
    public string Script()
    {
        Parse.CommandWords(Kubectl);
        Parse.KubernetesName(Namespace);
        Parse.KubernetesName(Deployment);
        Parse.KubernetesName(Container);
        if (Manifests.Split('\n').Any(line => line.Trim() == EndOfManifests))
        {
            throw new BuildInputException($"The manifests contain the line {EndOfManifests}, which ends them in the remote script: rename it.");
        }

        return new ShellScript()
            .Set("namespace", Namespace)
            .Set("deployment", Deployment)
            .Set("container", Container)
            .Set("image", Image)
            .Set("timeout", $"{(int)Timeout.TotalSeconds}s")
            // Validated words only (letters, digits, / . _ -): safe to leave unquoted, so it splits.
            .Body($"k() {{ {Kubectl} \"$@\"; }}")
            .Body($"""
                manifests="$(mktemp)"
                trap 'rm -f "$manifests"' EXIT
                cat >"$manifests" <<'{EndOfManifests}'
                {Manifests.TrimEnd()}
                {EndOfManifests}
                k apply --namespace "$namespace" --filename "$manifests"
                k set image --namespace "$namespace" "deployment/$deployment" "$container=$image"
                if ! k rollout status --namespace "$namespace" "deployment/$deployment" "--timeout=$timeout"; then
                  echo "the rollout of $image did not finish within $timeout; undoing it" >&2
                  k rollout undo --namespace "$namespace" "deployment/$deployment" >&2 || true
                  k rollout status --namespace "$namespace" "deployment/$deployment" "--timeout=$timeout" >&2 || true
                  k get pods --namespace "$namespace" --output wide >&2 || true
                  k get events --namespace "$namespace" --sort-by=.lastTimestamp 2>&1 | tail -n 20 >&2 || true
                  exit 1
                fi
                echo "rolled out $image"
                """)
            .ToString();
    }
}
