/// The theme files of `themes/`, built into the binary so every theme is there wherever the
/// console starts (before, `light` and `high-contrast` were found only from the repository or
/// an installed prefix). A file of the same name on the search path still wins;
/// `BuiltInThemeTests` holds these texts equal to the files in `themes/`.
enum BuiltInThemes {
    static let texts: [String: String] = [
        "default": #"""
        # LicenseDesk theme: semantic token = colour/background, then a 16-colour fallback and attributes.
        # Format: ../shared/specs/tui.md §6. The console reads these files (console issue).
        [theme]
        name = default
        [tokens]
        text          = default/default
        header        = #d8dee9/#3b4252,  16: white/blue,     attrs: bold
        border        = #4c566a/default,  16: white/default
        border.focus  = #88c0d0/default,  16: cyan/default,   attrs: bold
        selection     = #eceff4/#4c566a,  16: black/cyan
        toggle.on     = #a3be8c/default,  16: green/default
        toggle.off    = #616e88/default,  16: white/default
        pending       = #ebcb8b/default,  16: yellow/default
        error         = #bf616a/default,  16: red/default,    attrs: bold
        status.info   = default/default,  16: default/default
        status.warn   = #ebcb8b/default,  16: yellow/default
        status.error  = #bf616a/default,  16: red/default,    attrs: bold
        footer        = #2e3440/#d8dee9,  16: black/white
        """#,
        "monochrome": #"""
        # No colours at all: attributes carry every distinction (NO_COLOR selects this theme).
        [theme]
        name = monochrome
        [tokens]
        text          = default/default
        header        = default/default,  16: default/default, attrs: bold reverse
        border        = default/default,  16: default/default
        border.focus  = default/default,  16: default/default, attrs: bold underline
        selection     = default/default,  16: default/default, attrs: reverse
        toggle.on     = default/default,  16: default/default, attrs: bold
        toggle.off    = default/default,  16: default/default
        pending       = default/default,  16: default/default, attrs: underline
        error         = default/default,  16: default/default, attrs: bold
        status.info   = default/default,  16: default/default
        status.warn   = default/default,  16: default/default, attrs: bold
        status.error  = default/default,  16: default/default, attrs: bold reverse
        footer        = default/default,  16: default/default, attrs: reverse
        """#,
        "light": #"""
        # Sets its own light background on every cell, so it reads the same on a dark terminal.
        [theme]
        name = light
        [tokens]
        text          = #2e3440/#eeeeee,  16: black/white
        header        = #ffffff/#005f87,  16: white/blue,     attrs: bold
        border        = #8a8a8a/#eeeeee,  16: black/white
        border.focus  = #005f87/#eeeeee,  16: blue/white,   attrs: bold
        selection     = #000000/#d0d0ff,  16: black/cyan
        toggle.on     = #005f00/#eeeeee,  16: green/white
        toggle.off    = #8a8a8a/#eeeeee,  16: black/white
        pending       = #875f00/#eeeeee,  16: yellow/white
        error         = #af0000/#eeeeee,  16: red/white,    attrs: bold
        status.info   = #2e3440/#eeeeee,  16: black/white
        status.warn   = #875f00/#eeeeee,  16: yellow/white
        status.error  = #af0000/#eeeeee,  16: red/white,    attrs: bold
        footer        = #ffffff/#585858,  16: white/black
        """#,
        "high-contrast": #"""
        [theme]
        name = high-contrast
        [tokens]
        text          = #ffffff/#000000,  16: white/black
        header        = #000000/#ffff00,  16: black/yellow,   attrs: bold
        border        = #ffffff/#000000,  16: white/black
        border.focus  = #00ffff/#000000,  16: cyan/black,     attrs: bold
        selection     = #000000/#ffffff,  16: black/white,    attrs: bold
        toggle.on     = #00ff00/#000000,  16: green/black,    attrs: bold
        toggle.off    = #ffffff/#000000,  16: white/black
        pending       = #ffff00/#000000,  16: yellow/black,   attrs: bold
        error         = #ff5f5f/#000000,  16: red/black,      attrs: bold underline
        status.info   = #ffffff/#000000,  16: white/black
        status.warn   = #ffff00/#000000,  16: yellow/black,   attrs: bold
        status.error  = #ff5f5f/#000000,  16: red/black,      attrs: bold
        footer        = #000000/#ffffff,  16: black/white
        """#,
    ]
}
