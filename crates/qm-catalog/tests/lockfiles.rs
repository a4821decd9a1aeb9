//! The lockfile catalogers against real lockfiles from syft's and trivy's test fixtures.
//!
//! Expected lists are the fixtures' own contents read under the rules in each module's doc
//! (registry and git packages only, project-local trees left out, exact pins only for
//! `requirements.txt`); where syft's tests or trivy's integration goldens name packages for the
//! same files, those lists are checked too.

#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly on unexpected errors"
)]

use proptest::prelude::*;
use qm_catalog::{
    CatalogError, parse_cargo_lock, parse_composer_lock, parse_deps_json, parse_gemfile_lock,
    parse_go_mod, parse_go_sum, parse_installed_json, parse_packages_lock_json, parse_pipfile_lock,
    parse_poetry_lock, parse_requirements, parse_uv_lock,
};
use qm_model::{Ecosystem, Package};

type Parser = fn(&str, &[u8]) -> Result<Vec<Package>, CatalogError>;

const SYFT: &str = "fixtures/syft/syft/pkg/cataloger/";
const TRIVY: &str = "fixtures/trivy/integration/testdata/fixtures/repo/";

/// Every parser, for the properties that hold for all of them.
const PARSERS: &[Parser] = &[
    parse_cargo_lock,
    parse_requirements,
    parse_poetry_lock,
    parse_pipfile_lock,
    parse_uv_lock,
    parse_go_mod,
    parse_go_sum,
    parse_gemfile_lock,
    parse_composer_lock,
    parse_installed_json,
    parse_packages_lock_json,
    parse_deps_json,
];

fn parse(parser: Parser, root: &str, fixture: &str) -> Vec<Package> {
    let relative = format!("{root}{fixture}");
    let bytes = qm_testdata::read_text(&relative).into_bytes();
    parser(fixture, &bytes).unwrap()
}

/// Sorted `name@version`, with ` dev` for development-only packages.
fn listed(parser: Parser, root: &str, fixture: &str) -> Vec<String> {
    let mut listed: Vec<String> = parse(parser, root, fixture)
        .iter()
        .map(|package| {
            let dev = if package.dev { " dev" } else { "" };
            format!("{}@{}{dev}", package.name, package.version)
        })
        .collect();
    listed.sort();
    listed
}

/// Fixtures whose expected list is the fixture's content: sorted `name@version[ dev]`.
const FIXTURES: &[(Parser, &str, &str, &[&str])] = &[
    // 14 packages
    (
        parse_cargo_lock,
        SYFT,
        "rust/testdata/Cargo.lock",
        &[
            "ansi_term@0.12.1",
            "errno@0.3.9",
            "matches@0.1.8",
            "memchr@2.3.3",
            "natord@1.0.9",
            "nom@4.2.3",
            "schannel@0.1.26",
            "unicode-bidi@0.3.4",
            "version_check@0.1.5",
            "winapi-i686-pc-windows-gnu@0.4.0",
            "winapi-x86_64-pc-windows-gnu@0.4.0",
            "winapi@0.3.9",
            "windows-sys@0.52.0",
            "windows-sys@0.59.0",
        ],
    ),
    // 11 packages
    (
        parse_cargo_lock,
        SYFT,
        "rust/testdata/Cargo.lock-with-git-deps",
        &[
            "aho-corasick@1.1.3",
            "memchr@2.7.4",
            "minimal-lexical@0.2.1",
            "nom-regex@0.2.0",
            "nom@7.1.3",
            "regex-automata@0.4.9",
            "regex-automata@0.4.9",
            "regex-syntax@0.8.5",
            "regex-syntax@0.8.5",
            "regex@1.11.1",
            "regex@1.11.1",
        ],
    ),
    // 1 packages
    (
        parse_cargo_lock,
        SYFT,
        "rust/testdata/path-deps/Cargo.lock",
        &["memchr@2.7.4"],
    ),
    // 9 packages
    (
        parse_cargo_lock,
        SYFT,
        "rust/testdata/image-audit/Cargo.lock",
        &[
            "argh@0.1.12",
            "argh_derive@0.1.12",
            "argh_shared@0.1.12",
            "proc-macro2@1.0.92",
            "quote@1.0.37",
            "serde@1.0.215",
            "serde_derive@1.0.215",
            "syn@2.0.90",
            "unicode-ident@1.0.14",
        ],
    ),
    // 9 packages
    (
        parse_cargo_lock,
        TRIVY,
        "cargo/Cargo.lock",
        &[
            "aho-corasick@0.7.20",
            "libc@0.2.171",
            "memchr@1.0.2",
            "memchr@2.7.4",
            "regex-syntax@0.6.29",
            "regex@1.7.3",
            "winapi-i686-pc-windows-gnu@0.4.0",
            "winapi-x86_64-pc-windows-gnu@0.4.0",
            "winapi@0.3.9",
        ],
    ),
    // 73 packages
    (
        parse_cargo_lock,
        TRIVY,
        "trivy-ci-test/Cargo.lock",
        &[
            "ammonia@1.9.0",
            "autocfg@0.1.2",
            "bitflags@0.7.0",
            "bitflags@1.0.4",
            "cfg-if@0.1.7",
            "cloudabi@0.0.3",
            "fuchsia-cprng@0.1.1",
            "futf@0.1.4",
            "gdi32-sys@0.2.0",
            "html5ever@0.23.0",
            "idna@0.1.5",
            "itoa@0.4.4",
            "kernel32-sys@0.2.2",
            "lazy_static@0.2.11",
            "lazy_static@1.3.0",
            "libc@0.2.54",
            "libressl-pnacl-sys@2.1.6",
            "log@0.4.6",
            "mac@0.1.1",
            "maplit@1.0.1",
            "markup5ever@0.8.1",
            "matches@0.1.8",
            "new_debug_unreachable@1.0.3",
            "openssl-sys@0.7.17",
            "openssl@0.8.3",
            "percent-encoding@1.0.1",
            "phf@0.7.24",
            "phf_codegen@0.7.24",
            "phf_generator@0.7.24",
            "phf_shared@0.7.24",
            "pkg-config@0.3.14",
            "pnacl-build-helper@1.4.11",
            "precomputed-hash@0.1.1",
            "proc-macro2@0.4.30",
            "quote@0.6.12",
            "rand@0.4.6",
            "rand@0.6.5",
            "rand_chacha@0.1.1",
            "rand_core@0.3.1",
            "rand_core@0.4.0",
            "rand_hc@0.1.0",
            "rand_isaac@0.1.1",
            "rand_jitter@0.1.4",
            "rand_os@0.1.3",
            "rand_pcg@0.1.2",
            "rand_xorshift@0.1.1",
            "rdrand@0.4.0",
            "remove_dir_all@0.5.1",
            "ryu@0.2.8",
            "same-file@0.1.3",
            "serde@1.0.91",
            "serde_derive@1.0.91",
            "serde_json@1.0.39",
            "siphasher@0.2.3",
            "smallvec@0.6.9",
            "string_cache@0.7.3",
            "string_cache_codegen@0.4.2",
            "string_cache_shared@0.3.0",
            "syn@0.15.34",
            "tempdir@0.3.7",
            "tendril@0.4.1",
            "unicode-bidi@0.3.4",
            "unicode-normalization@0.1.8",
            "unicode-xid@0.1.0",
            "url@1.7.2",
            "user32-sys@0.2.0",
            "utf-8@0.7.5",
            "walkdir@1.0.7",
            "winapi-build@0.1.1",
            "winapi-i686-pc-windows-gnu@0.4.0",
            "winapi-x86_64-pc-windows-gnu@0.4.0",
            "winapi@0.2.8",
            "winapi@0.3.7",
        ],
    ),
    // 3 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/case-sensitivity/poetry.lock",
        &[
            "dj-rest-auth@7.0.1",
            "django@5.2.6",
            "djangorestframework@3.16.1",
        ],
    ),
    // 21 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/conflicting-with-extras/poetry.lock",
        &[
            "anyio@4.3.0",
            "brotli@1.1.0",
            "brotlicffi@1.1.0.0",
            "certifi@2024.2.2",
            "cffi@1.16.0",
            "click@7.1.2",
            "colorama@0.4.6",
            "h11@0.14.0",
            "h2@4.1.0",
            "hpack@4.0.0",
            "httpcore@1.0.5",
            "httpx@0.27.0",
            "hyperframe@6.0.1",
            "idna@3.7",
            "pprintpp@0.4.0",
            "pycparser@2.22",
            "pygments@1.6",
            "rich@0.3.3",
            "sniffio@1.3.1",
            "socksio@1.0.0",
            "typing-extensions@3.10.0.2",
        ],
    ),
    // 4 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/dev-deps/poetry.lock",
        &[
            "added-value@0.14.2 dev",
            "alabaster@0.7.12 dev",
            "appnope@0.1.0 dev",
            "asciitree@0.3.3 dev",
        ],
    ),
    // 15 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/multiple-extras/poetry.lock",
        &[
            "anyio@4.3.0",
            "brotli@1.1.0",
            "brotlicffi@1.1.0.0",
            "certifi@2024.2.2",
            "cffi@1.16.0",
            "h11@0.14.0",
            "h2@4.1.0",
            "hpack@4.0.0",
            "httpcore@1.0.5",
            "httpx@0.27.0",
            "hyperframe@6.0.1",
            "idna@3.7",
            "pycparser@2.22",
            "sniffio@1.3.1",
            "socksio@1.0.0",
        ],
    ),
    // 39 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/nested-extras/poetry.lock",
        &[
            "annotated-types@0.7.0",
            "anyio@4.3.0",
            "certifi@2024.2.2",
            "click@8.1.7",
            "colorama@0.4.6",
            "dnspython@2.6.1",
            "email-validator@2.1.1",
            "fastapi-cli@0.0.4",
            "fastapi@0.111.0",
            "h11@0.14.0",
            "httpcore@1.0.5",
            "httptools@0.6.1",
            "httpx@0.27.0",
            "idna@3.7",
            "itsdangerous@2.2.0",
            "jinja2@3.1.4",
            "markdown-it-py@3.0.0",
            "markupsafe@2.1.5",
            "mdurl@0.1.2",
            "orjson@3.10.3",
            "pydantic-core@2.18.2",
            "pydantic-extra-types@2.7.0",
            "pydantic-settings@2.2.1",
            "pydantic@2.7.1",
            "pygments@2.18.0",
            "python-dotenv@1.0.1",
            "python-multipart@0.0.9",
            "pyyaml@6.0.1",
            "rich@13.7.1",
            "shellingham@1.5.4",
            "sniffio@1.3.1",
            "starlette@0.37.2",
            "typer@0.12.3",
            "typing-extensions@4.12.0",
            "ujson@5.10.0",
            "uvicorn@0.29.0",
            "uvloop@0.19.0",
            "watchfiles@0.21.0",
            "websockets@12.0",
        ],
    ),
    // 5 packages
    (
        parse_poetry_lock,
        SYFT,
        "python/testdata/poetry/simple-deps/poetry.lock",
        &[
            "certifi@2024.2.2",
            "charset-normalizer@3.3.2",
            "idna@3.7",
            "requests@2.32.2",
            "urllib3@2.2.1",
        ],
    ),
    // 3 packages
    (
        parse_poetry_lock,
        TRIVY,
        "poetry/poetry.lock",
        &["click@8.1.3", "colorama@0.4.6", "werkzeug@0.14"],
    ),
    // 21 packages
    (
        parse_uv_lock,
        SYFT,
        "python/testdata/uv/conflicting-with-extras/uv.lock",
        &[
            "anyio@4.6.2.post1",
            "brotli@1.1.0",
            "brotlicffi@1.1.0.0",
            "certifi@2025.1.31",
            "cffi@1.17.1",
            "click@7.1.2",
            "colorama@0.4.6",
            "h11@0.14.0",
            "h2@4.2.0",
            "hpack@4.1.0",
            "httpcore@1.0.7",
            "httpx@0.28.1",
            "hyperframe@6.1.0",
            "idna@3.10",
            "pprintpp@0.4.0",
            "pycparser@2.22",
            "pygments@1.6",
            "rich@0.3.3",
            "sniffio@1.3.1",
            "socksio@1.0.0",
            "typing-extensions@3.10.0.2",
        ],
    ),
    // 16 packages
    (
        parse_uv_lock,
        SYFT,
        "python/testdata/uv/multiple-extras/uv.lock",
        &[
            "anyio@4.9.0",
            "brotli@1.1.0",
            "brotlicffi@1.1.0.0",
            "certifi@2025.1.31",
            "cffi@1.17.1",
            "h11@0.14.0",
            "h2@4.2.0",
            "hpack@4.1.0",
            "httpcore@1.0.7",
            "httpx@0.28.1",
            "hyperframe@6.1.0",
            "idna@3.10",
            "pycparser@2.22",
            "sniffio@1.3.1",
            "socksio@1.0.0",
            "typing-extensions@4.13.0",
        ],
    ),
    // 41 packages
    (
        parse_uv_lock,
        SYFT,
        "python/testdata/uv/nested-extras/uv.lock",
        &[
            "annotated-types@0.7.0",
            "anyio@4.9.0",
            "certifi@2025.1.31",
            "click@8.1.8",
            "colorama@0.4.6",
            "dnspython@2.7.0",
            "email-validator@2.2.0",
            "fastapi-cli@0.0.7",
            "fastapi@0.111.1",
            "h11@0.14.0",
            "httpcore@1.0.7",
            "httptools@0.6.4",
            "httpx@0.28.1",
            "idna@3.10",
            "itsdangerous@2.2.0",
            "jinja2@3.1.6",
            "markdown-it-py@3.0.0",
            "markupsafe@3.0.2",
            "mdurl@0.1.2",
            "orjson@3.10.16",
            "pydantic-core@2.33.0",
            "pydantic-extra-types@2.10.3",
            "pydantic-settings@2.8.1",
            "pydantic@2.11.0",
            "pygments@2.19.1",
            "python-dotenv@1.1.0",
            "python-multipart@0.0.20",
            "pyyaml@6.0.2",
            "rich-toolkit@0.14.0",
            "rich@13.9.4",
            "shellingham@1.5.4",
            "sniffio@1.3.1",
            "starlette@0.37.2",
            "typer@0.15.2",
            "typing-extensions@4.13.0",
            "typing-inspection@0.4.0",
            "ujson@5.10.0",
            "uvicorn@0.34.0",
            "uvloop@0.21.0",
            "watchfiles@1.0.4",
            "websockets@15.0.1",
        ],
    ),
    // 5 packages
    (
        parse_uv_lock,
        SYFT,
        "python/testdata/uv/simple-deps/uv.lock",
        &[
            "certifi@2025.1.31",
            "charset-normalizer@3.4.1",
            "idna@3.10",
            "requests@2.32.3",
            "urllib3@2.3.0",
        ],
    ),
    // 3 packages
    (
        parse_uv_lock,
        TRIVY,
        "uv/uv.lock",
        &["click@8.1.3", "colorama@0.4.6", "werkzeug@0.11.1"],
    ),
    // 6 packages
    (
        parse_pipfile_lock,
        SYFT,
        "python/testdata/pipfile-lock/Pipfile.lock",
        &[
            "aio-pika@6.8.0",
            "aiodns@2.0.0",
            "aiohttp-jinja2@1.4.2",
            "aiohttp@3.7.4.post0",
            "astroid@2.5.2 dev",
            "autopep8@1.5.6 dev",
        ],
    ),
    // 1 packages
    (
        parse_pipfile_lock,
        TRIVY,
        "pipenv/Pipfile.lock",
        &["werkzeug@0.11.1"],
    ),
    // 85 packages
    (
        parse_pipfile_lock,
        TRIVY,
        "trivy-ci-test/Pipfile.lock",
        &[
            "amqp@2.4.2",
            "appdirs@1.4.3 dev",
            "aspy.yaml@1.2.0 dev",
            "attrs@19.1.0 dev",
            "autoflake@1.2 dev",
            "autopep8@1.4.3",
            "babel@2.6.0",
            "billiard@3.6.0.0",
            "black@18.6b4 dev",
            "boto3@1.9.130",
            "botocore@1.12.130",
            "celery@4.3.0",
            "certifi@2019.3.9",
            "cfgv@1.6.0 dev",
            "chardet@3.0.4",
            "click@7.0 dev",
            "coverage@4.5.3 dev",
            "decorator@4.4.0",
            "django-celery-beat@1.4.0",
            "django-cors-headers@2.5.2",
            "django-extensions@2.1.6",
            "django-redis-cache@2.0.0",
            "django-silk@3.0.1",
            "django-timezone-field@3.0",
            "django@2.0.9",
            "djangorestframework-jwt@1.11.0",
            "djangorestframework@3.9.2",
            "docutils@0.14",
            "dredd-hooks@0.2.0 dev",
            "entrypoints@0.3 dev",
            "factory-boy@2.11.1 dev",
            "faker@1.0.4 dev",
            "flake8@3.7.7 dev",
            "flower@0.9.3",
            "gprof2dot@2016.10.13",
            "gunicorn@19.9.0",
            "hiredis@1.0.0",
            "httplib2@0.12.1",
            "identify@1.4.1 dev",
            "idna@2.8",
            "importlib-metadata@0.9 dev",
            "isort@4.3.17 dev",
            "jinja2@2.10.1",
            "jmespath@0.9.4",
            "kombu@4.5.0",
            "markupsafe@1.1.1",
            "mccabe@0.6.1 dev",
            "more-itertools@7.0.0 dev",
            "nodeenv@1.3.3 dev",
            "numpy@1.16.2 dev",
            "oauth2@1.9.0.post1",
            "pandas@0.24.2 dev",
            "pre-commit@1.15.1 dev",
            "psycopg2-binary@2.8.1",
            "py@1.8.0",
            "pycodestyle@2.5.0",
            "pycurl@7.43.0.2",
            "pydot@1.4.1 dev",
            "pyflakes@2.1.1 dev",
            "pygments@2.3.1",
            "pyjwt@1.7.1",
            "pyparsing@2.4.0 dev",
            "python-crontab@2.3.6",
            "python-dateutil@2.8.0",
            "python-http-client@3.1.0",
            "pytz@2019.1",
            "pyyaml@5.1",
            "redis@3.2.1",
            "requests@2.21.0",
            "retry@0.9.2",
            "s3transfer@0.2.0",
            "selenium@3.141.0 dev",
            "sendgrid@6.0.4",
            "sentry-sdk@0.7.10",
            "six@1.12.0",
            "sqlparse@0.3.0",
            "tblib@1.3.2 dev",
            "text-unidecode@1.2 dev",
            "toml@0.10.0 dev",
            "tornado@5.1.1",
            "urllib3@1.24.1",
            "vine@1.3.0",
            "virtualenv@16.4.3 dev",
            "xmltodict@0.12.0",
            "zipp@0.3.3 dev",
        ],
    ),
    // 51 packages
    (
        parse_gemfile_lock,
        SYFT,
        "ruby/testdata/Gemfile.lock",
        &[
            "actionmailer@4.1.1",
            "actionpack@4.1.1",
            "actionview@4.1.1",
            "activemodel@4.1.1",
            "activerecord@4.1.1",
            "activesupport@4.1.1",
            "arel@5.0.1.20140414130214",
            "bootstrap-sass@3.1.1.1",
            "builder@3.2.2",
            "coffee-rails@4.0.1",
            "coffee-script-source@1.7.0",
            "coffee-script@2.2.0",
            "erubis@2.7.0",
            "execjs@2.0.2",
            "hike@1.2.3",
            "i18n@0.6.9",
            "jbuilder@2.0.7",
            "jquery-rails@3.1.0",
            "json@1.8.1",
            "kgio@2.9.2",
            "libv8@3.16.14.3",
            "mail@2.5.4",
            "mime-types@1.25.1",
            "minitest@5.3.4",
            "multi_json@1.10.1",
            "mysql2@0.3.16",
            "polyglot@0.3.4",
            "rack-test@0.6.2",
            "rack@1.5.2",
            "rails@4.1.1",
            "railties@4.1.1",
            "raindrops@0.13.0",
            "rake@10.3.2",
            "rdoc@4.1.1",
            "ref@1.0.5",
            "sass-rails@4.0.3",
            "sass@3.2.19",
            "sdoc@0.4.0",
            "spring@1.1.3",
            "sprockets-rails@2.1.3",
            "sprockets@2.11.0",
            "sqlite3@1.3.9",
            "therubyracer@0.12.1",
            "thor@0.19.1",
            "thread_safe@0.3.3",
            "tilt@1.4.1",
            "treetop@1.4.15",
            "turbolinks@3.0.0",
            "tzinfo@1.2.0",
            "uglifier@2.5.0",
            "unicorn@4.8.3",
        ],
    ),
    // 4 packages
    (
        parse_composer_lock,
        SYFT,
        "php/testdata/composer.lock",
        &[
            "adoy/fastcgi-client@1.0.2",
            "alcaeus/mongo-php-adapter@1.1.11",
            "behat/gherkin@v4.6.2 dev",
            "codeception/codeception@4.1.6 dev",
        ],
    ),
    // 2 packages
    (
        parse_composer_lock,
        TRIVY,
        "composer/composer.lock",
        &["guzzlehttp/guzzle@7.4.4", "guzzlehttp/psr7@1.8.3"],
    ),
    // 2 packages
    (
        parse_installed_json,
        SYFT,
        "php/testdata/vendor/composer_1/installed.json",
        &["asm89/stack-cors@1.3.0", "behat/mink@v1.8.1"],
    ),
    // 2 packages
    (
        parse_installed_json,
        SYFT,
        "php/testdata/vendor/composer_2/installed.json",
        &["asm89/stack-cors@1.3.0", "behat/mink@v1.8.1 dev"],
    ),
    // 3 packages
    (
        parse_installed_json,
        TRIVY,
        "composer-vendor/installed.json",
        &[
            "guzzlehttp/psr7@1.8.3",
            "psr/http-message@1.1",
            "ralouphie/getallheaders@3.0.3",
        ],
    ),
    // 9 packages
    (
        parse_packages_lock_json,
        SYFT,
        "dotnet/testdata/packages.lock.json",
        &[
            "AutoMapper@13.0.1",
            "Microsoft.Extensions.DependencyInjection.Abstractions@9.0.0",
            "Microsoft.Extensions.Logging@9.0.0",
            "Microsoft.Extensions.Options@9.0.0",
            "Microsoft.Extensions.Primitives@9.0.0",
            "System.Runtime.CompilerServices.Unsafe@9.0.0",
            "bootstrap@5.0.0",
            "log4net@1.2.15",
            "log4net@2.0.5",
        ],
    ),
    // 2 packages
    (
        parse_packages_lock_json,
        TRIVY,
        "nuget/packages.lock.json",
        &["Newtonsoft.Json@12.0.3", "NuGet.Frameworks@5.7.0"],
    ),
    // 1 packages
    (
        parse_deps_json,
        SYFT,
        "dotnet/testdata/deps-with-referenceassembly/MyApp.deps.json",
        &["Newtonsoft.Json@13.0.3"],
    ),
    // 12 packages
    (
        parse_deps_json,
        SYFT,
        "dotnet/testdata/dir-example-1/TestLibrary.deps.json",
        &[
            "AWSSDK.Core@3.7.10.6",
            "Microsoft.Extensions.DependencyInjection.Abstractions@6.0.0",
            "Microsoft.Extensions.DependencyInjection@6.0.0",
            "Microsoft.Extensions.Logging.Abstractions@6.0.0",
            "Microsoft.Extensions.Logging@6.0.0",
            "Microsoft.Extensions.Options@6.0.0",
            "Microsoft.Extensions.Primitives@6.0.0",
            "Newtonsoft.Json@13.0.1",
            "Serilog.Sinks.Console@4.0.1",
            "Serilog@2.10.0",
            "System.Diagnostics.DiagnosticSource@6.0.0",
            "System.Runtime.CompilerServices.Unsafe@6.0.0",
        ],
    ),
];

#[test]
fn fixtures_list_exactly_their_packages() {
    for (parser, root, fixture, expected) in FIXTURES {
        assert_eq!(listed(*parser, root, fixture), *expected, "{fixture}");
    }
}

#[test]
fn requirements_list_only_exact_pins() {
    // syft's requires/requirements.txt: ranges, wildcards (`requests == 2.8.*`), bare names,
    // options and a nameless `==2.3.4` pin nothing.
    let syft = listed(
        parse_requirements,
        SYFT,
        "python/testdata/requires/requirements.txt",
    );
    assert_eq!(
        syft,
        [
            "FrIeNdLy-_-bArD@1.0.0",
            "GithubSampleProject@3.7.1",
            "SomeProject@5.4",
            "argh@0.26.2",
            "argh@0.26.3",
            "celery@4.4.7",
            "dots-._allowed@1.0.0",
            "flask@4.0.0",
            "foo@1.0.0",
            "local-version@1.2.3+gcr.2",
            "urllib3@1.26.20",
        ]
    );
    // trivy's pip golden lists these seven; `MarkupSafe>2.0.0` pins nothing.
    let trivy = listed(parse_requirements, TRIVY, "pip/requirements.txt");
    assert_eq!(
        trivy,
        [
            "Flask@2.0.0",
            "Jinja2@3.0.0",
            "Werkzeug@0.11",
            "click@8.0.0",
            "itsdangerous@2.0.0",
            "oauth2-client@4.0.0",
            "python-gitlab@2.0.0",
        ]
    );
}

#[test]
fn python_purls_use_normalised_names() {
    let packages = parse(
        parse_requirements,
        SYFT,
        "python/testdata/requires/requirements.txt",
    );
    let purl = |name: &str| {
        packages
            .iter()
            .find(|package| package.name == name)
            .map(|package| package.purl.as_str())
    };
    assert_eq!(
        purl("FrIeNdLy-_-bArD"),
        Some("pkg:pypi/friendly-bard@1.0.0")
    );
    assert_eq!(purl("dots-._allowed"), Some("pkg:pypi/dots-allowed@1.0.0"));
    assert_eq!(purl("SomeProject"), Some("pkg:pypi/someproject@5.4"));
    assert!(packages.iter().all(|p| p.ecosystem == Ecosystem::PyPI));
}

#[test]
fn go_mod_applies_replace_and_exclude() {
    let cases: &[(&str, &[&str])] = &[
        (
            "golang/testdata/go-mod-fixtures/one-package/go.mod",
            &["github.com/bmatcuk/doublestar@v1.3.1"],
        ),
        (
            // `exclude github.com/adrg/xdg v0.2.1` drops it; both replaces apply; the
            // commented-out requirement is not one.
            "golang/testdata/go-mod-fixtures/many-packages/go.mod",
            &[
                "github.com/anchore/archiver/v3@v3.5.2",
                "github.com/anchore/go-testutils@v0.0.0-20200624184116-66aa578126db",
                "github.com/anchore/go-version@v1.2.2-0.20200701162849-18adb9c92b9b",
                "github.com/anchore/stereoscope@v0.0.0-20200706164556-7cf39d7f4639",
                "github.com/bmatcuk/doublestar@v8.8.8",
                "github.com/go-test/deep@v1.0.6",
            ],
        ),
        // Replaced by a directory of the scanned tree.
        (
            "golang/testdata/go-mod-fixtures/relative-replace/go.mod",
            &[],
        ),
        (
            "golang/testdata/go-source-replacements/go.mod",
            &[
                "golang.org/x/text@v0.0.0-20170915032832-14c0d48ead0c",
                "rsc.io/quote@v1.5.2",
                "rsc.io/sampler@v1.3.1",
            ],
        ),
        (
            "golang/testdata/go-sum-hashes/go.mod",
            &[
                "github.com/CycloneDX/cyclonedx-go@v0.6.0",
                "github.com/acarl005/stripansi@v0.0.0-20180116102854-5a71ef0e047d",
                "github.com/mgutz/ansi@v0.0.0-20200706080929-d51e80ef957d",
            ],
        ),
    ];
    for (fixture, expected) in cases {
        assert_eq!(listed(parse_go_mod, SYFT, fixture), *expected, "{fixture}");
    }
    let trivy = listed(parse_go_mod, TRIVY, "gomod/go.mod");
    assert_eq!(trivy.len(), 18);
    // The modules trivy's gomod golden reports vulnerabilities for.
    for vulnerable in [
        "github.com/docker/distribution@v2.7.1+incompatible",
        "github.com/open-policy-agent/opa@v0.35.0",
        "golang.org/x/text@v0.3.6",
    ] {
        assert!(
            trivy.iter().any(|listed| listed == vulnerable),
            "{vulnerable}"
        );
    }
    assert_eq!(
        listed(parse_go_mod, TRIVY, "gomod/submod/go.mod"),
        ["github.com/docker/distribution@v2.7.1+incompatible"]
    );
}

#[test]
fn go_sum_lists_fully_hashed_modules() {
    let listed = listed(parse_go_sum, SYFT, "golang/testdata/go-sum-hashes/go.sum");
    assert!(
        listed
            .iter()
            .any(|m| m == "github.com/CycloneDX/cyclonedx-go@v0.7.0")
    );
    assert!(!listed.iter().any(|m| m.ends_with("/go.mod")));
}

#[test]
fn go_purls_keep_the_module_path() {
    let packages = parse(
        parse_go_mod,
        SYFT,
        "golang/testdata/go-source-replacements/go.mod",
    );
    let purls: Vec<_> = packages.iter().map(|p| p.purl.as_str()).collect();
    assert!(
        purls.contains(&"pkg:golang/rsc.io/quote@v1.5.2"),
        "{purls:?}"
    );
    assert!(packages.iter().all(|p| p.found_by == "go-mod"));
}

#[test]
fn trivy_goldens_are_covered() {
    // Packages trivy's integration goldens report for the same files (its `Packages` lists,
    // without the root project).
    let cases: &[(Parser, &str, &[&str])] = &[
        (
            parse_cargo_lock,
            "cargo/Cargo.lock",
            &[
                "aho-corasick@0.7.20",
                "libc@0.2.171",
                "memchr@1.0.2",
                "memchr@2.7.4",
                "regex-syntax@0.6.29",
                "regex@1.7.3",
            ],
        ),
        (
            parse_pipfile_lock,
            "pipenv/Pipfile.lock",
            &["werkzeug@0.11.1"],
        ),
        (
            parse_poetry_lock,
            "poetry/poetry.lock",
            &["click@8.1.3", "colorama@0.4.6", "werkzeug@0.14"],
        ),
        (
            parse_uv_lock,
            "uv/uv.lock",
            &["click@8.1.3", "colorama@0.4.6", "werkzeug@0.11.1"],
        ),
        (
            parse_composer_lock,
            "composer/composer.lock",
            &["guzzlehttp/guzzle@7.4.4", "guzzlehttp/psr7@1.8.3"],
        ),
        (
            parse_installed_json,
            "composer-vendor/installed.json",
            &[
                "guzzlehttp/psr7@1.8.3",
                "psr/http-message@1.1",
                "ralouphie/getallheaders@3.0.3",
            ],
        ),
        (
            parse_packages_lock_json,
            "nuget/packages.lock.json",
            &["Newtonsoft.Json@12.0.3", "NuGet.Frameworks@5.7.0"],
        ),
        (
            parse_deps_json,
            "dotnet/datacollector.deps.json",
            &["Newtonsoft.Json@9.0.1"],
        ),
    ];
    for (parser, fixture, golden) in cases {
        let listed = listed(*parser, TRIVY, fixture);
        for package in *golden {
            assert!(listed.iter().any(|l| l == package), "{fixture}: {package}");
        }
    }
}

#[test]
fn purls_and_metadata_per_ecosystem() {
    let cases: &[(Parser, &str, &str, Ecosystem, &str, &str)] = &[
        (
            parse_cargo_lock,
            SYFT,
            "rust/testdata/Cargo.lock",
            Ecosystem::CratesIo,
            "cargo-lock",
            "pkg:cargo/ansi_term@0.12.1",
        ),
        (
            parse_poetry_lock,
            SYFT,
            "python/testdata/poetry/simple-deps/poetry.lock",
            Ecosystem::PyPI,
            "poetry-lock",
            "pkg:pypi/charset-normalizer@3.3.2",
        ),
        (
            parse_gemfile_lock,
            SYFT,
            "ruby/testdata/Gemfile.lock",
            Ecosystem::RubyGems,
            "gemfile-lock",
            "pkg:gem/actionmailer@4.1.1",
        ),
        (
            parse_composer_lock,
            SYFT,
            "php/testdata/composer.lock",
            Ecosystem::Packagist,
            "composer-lock",
            "pkg:composer/behat/gherkin@v4.6.2",
        ),
        (
            parse_packages_lock_json,
            SYFT,
            "dotnet/testdata/packages.lock.json",
            Ecosystem::NuGet,
            "nuget-packages-lock",
            "pkg:nuget/AutoMapper@13.0.1",
        ),
    ];
    for (parser, root, fixture, ecosystem, found_by, purl) in cases {
        let packages = parse(*parser, root, fixture);
        assert!(
            packages.iter().any(|p| p.purl == *purl),
            "{fixture}: {purl}"
        );
        for package in &packages {
            assert_eq!(&package.ecosystem, ecosystem, "{fixture}");
            assert_eq!(package.found_by, *found_by, "{fixture}");
            assert_eq!(package.locations, [*fixture], "{fixture}");
        }
    }
}

#[test]
fn gemfile_lock_skips_path_and_unknown_sections() {
    let listed = listed(parse_gemfile_lock, SYFT, "ruby/testdata/Gemfile.lock");
    assert!(
        listed.iter().any(|l| l == "turbolinks@3.0.0"),
        "GIT specs count"
    );
    assert!(
        !listed.iter().any(|l| l.starts_with("google-cloud-errors@")),
        "PATH is the project"
    );
    assert!(
        !listed.iter().any(|l| l.starts_with("bad-entry@")),
        "BAD-SECTION is not a source"
    );
}

#[test]
fn wrong_format_is_malformed() {
    let cases: &[(Parser, &[u8])] = &[
        (parse_cargo_lock, b"[[package]\n"),
        (parse_poetry_lock, b"package = 3\n"),
        (parse_uv_lock, b"[[package]]\nname = [\n"),
        (parse_pipfile_lock, b"{\"default\": []}"),
        (parse_composer_lock, b"not json"),
        (parse_installed_json, b"{\"packages\": 1}"),
        (parse_packages_lock_json, b"{\"dependencies\": 1}"),
        (parse_deps_json, b"{"),
    ];
    for (parser, bytes) in cases {
        assert!(
            matches!(parser("f", bytes), Err(CatalogError::Malformed { .. })),
            "{}",
            String::from_utf8_lossy(bytes)
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for parser in PARSERS {
            let _ = parser("fuzz", &bytes);
        }
    }

    #[test]
    fn arbitrary_lockfile_like_text_never_panics(
        text in "([a-z\\[\\]=\"(){}: ,.\\\\#/@<>!~*;-]|\\n|    |v1\\.0|==|=>|source|package|version){0,200}"
    ) {
        for parser in PARSERS {
            let _ = parser("fuzz", text.as_bytes());
        }
    }
}
