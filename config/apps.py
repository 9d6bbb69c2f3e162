from django.contrib.staticfiles.apps import StaticFilesConfig


class OutreachStaticFilesConfig(StaticFilesConfig):
    """collectstatic leaves out what the npm packages ship for developers, not browsers:
    type definitions, ES-module builds and package metadata (survey-core's alone are about
    18 MB, more with compressed copies). Source maps stay: the minified files name them,
    and the manifest storage refuses a reference to a missing file."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "*.d.ts", "fesm", "typings", "llms", "llms.txt", "package.json", "README.md",
        "surveyjs_definition.json", "index.html",
    ]
