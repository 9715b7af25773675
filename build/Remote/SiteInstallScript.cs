using System.Security.Cryptography;
using System.Text;
using Pipeline.Settings;
using Pipeline.Environments;

namespace Pipeline.Remote;

/// <summary>
/// The nginx site a docker host serves an environment with, kept equal to the repository's
/// (infra/nginx-dev.conf for dev) on every deploy: Terraform writes the host's first boot only, so
/// a site edited later reaches the host this way, over the pinned SSH, and never by replacing the host.
/// </summary>
public sealed record SiteInstall(string Content, string RepositoryFile, string Environment, NginxSite Site)
{
    /// <summary>The repository's site, or null when the repository has none (its host's nginx is then not managed here).</summary>
    public static SiteInstall? FromRepository(string repositoryRoot, string repositoryFile, string environment, NginxSite site)
    {
        var path = Path.Combine(repositoryRoot, repositoryFile);
        return File.Exists(path) ? new SiteInstall(File.ReadAllText(path).Replace("\r\n", "\n"), repositoryFile, environment, site) : null;
    }

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Content)));

    /// <summary>
    /// Nothing happens when the host's site already has these bytes. Otherwise the site is
    /// installed, `nginx -t` checks the whole configuration, and nginx reloads (gracefully: requests
    /// in flight finish); a site that nginx refuses is put back as it was and the run fails.
    /// </summary>
    public string Script()
    {
        Parse.RemotePath(Site.Path);
        Parse.RemotePath(Site.NginxConf);
        return new ShellScript()
            .Set("site_path", Site.Path)
            .Set("nginx_conf", Site.NginxConf)
            .Set("want_sha256", Sha256)
            .Set("site", Content)
            .Set("environment", Parse.EnvironmentName(Environment))
            .Set("site_file", Parse.FilePath(RepositoryFile))
            .Body("""
                # One look at (and change of) the host's sites at a time: one nginx checks and serves them all.
                # Made readable and writable by all at creation, and opened for reading only (all flock
                # needs): any user that deploys a site on this host can take it, whoever made it.
                lock=/tmp/book-shop-nginx-sites.lock
                [ -e "$lock" ] || (umask 000 && : >>"$lock")
                exec 8<"$lock"
                flock -w 120 8 || { echo "another run held the lock of the host's nginx sites for 2 minutes" >&2; exit 1; }
                have="$(sha256sum "$site_path" 2>/dev/null | cut -d ' ' -f 1 || true)"
                if [ "$have" = "$want_sha256" ]; then
                  echo "the $environment site $site_path is the repository's"
                  exit 0
                fi
                work="$(mktemp -d)"
                trap 'rm -rf "$work"' EXIT
                printf '%s' "$site" >"$work/site"
                if [ -f "$site_path" ]; then cp "$site_path" "$work/before"; fi
                sudo -n install -m 644 "$work/site" "$site_path"
                if ! sudo -n nginx -t -q -c "$nginx_conf" 2>"$work/check"; then
                  if [ -f "$work/before" ]; then sudo -n install -m 644 "$work/before" "$site_path"; else sudo -n rm -f "$site_path"; fi
                  echo "nginx refused the repository's $environment site:" >&2
                  sed 's/^/  | /' "$work/check" >&2
                  echo "the host keeps the site it had and the $environment container was not touched: fix $site_file (nginx -t says why above) and re-run." >&2
                  exit 1
                fi
                sudo -n nginx -s reload -c "$nginx_conf"
                echo "the $environment site $site_path changed to the repository's $site_file (sha256 $want_sha256, was ${have:-absent}): nginx checked it and reloaded"
                """)
            .ToString();
    }
}
