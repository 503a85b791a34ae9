import Foundation
import PackagePlugin

/// Records the git commit a binary was built from, for `licensedesk --version`.
///
/// A prebuild command (run at the start of every build, so the commit is never stale) writes
/// `BuildCommit.swift` with one constant. It rewrites the file only when the commit changes, so
/// an unchanged tree recompiles nothing. Outside a git checkout the commit is "unknown".
@main
struct BuildCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = #"""
            set -e
            mkdir -p "$2"
            commit=$(git -C "$1" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)
            file="$2/BuildCommit.swift"
            new="// Generated at build time by the BuildCommit plugin: do not edit.
            let buildCommit = \"$commit\""
            if [ ! -f "$file" ] || [ "$(cat "$file")" != "$new" ]; then printf '%s\n' "$new" > "$file"; fi
            """#
        return [
            .prebuildCommand(
                displayName: "Recording the build commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
