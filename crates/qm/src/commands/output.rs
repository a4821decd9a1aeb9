//! Where a report goes: standard output, or a file written whole or not at all.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Standard output, or a temporary file beside the destination that is renamed into place on
/// [`Output::finish`], so a failed run never leaves half a report behind.
///
/// A destination that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is
/// written directly: renaming over it would replace the device with a file.
pub(crate) enum Output {
    Stdout(io::BufWriter<io::Stdout>),
    Special(io::BufWriter<fs_err::File>),
    File {
        file: io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// `None` or `-` is standard output.
    pub(crate) fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output::Stdout(io::BufWriter::new(io::stdout()))),
            Some(path) if path == Path::new("-") => {
                Ok(Output::Stdout(io::BufWriter::new(io::stdout())))
            }
            Some(path)
                if fs_err::metadata(path).is_ok_and(|metadata| !metadata.file_type().is_file()) =>
            {
                let file = fs_err::OpenOptions::new().write(true).open(path)?;
                Ok(Output::Special(io::BufWriter::new(file)))
            }
            Some(path) => {
                let dir = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir,
                    _ => Path::new("."),
                };
                let file = temporary_beside(path, dir)?;
                Ok(Output::File {
                    file: io::BufWriter::new(file),
                    path: path.to_owned(),
                })
            }
        }
    }

    /// Flushes, and syncs a file and moves it into place.
    pub(crate) fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::Special(mut out) => Ok(out.flush()?),
            Output::File { file, path } => {
                let file = file
                    .into_inner()
                    .map_err(|error| error.into_error())
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                // On disk before it takes the name: a crash then leaves the old file or the
                // whole new one, never a renamed empty one.
                file.as_file()
                    .sync_all()
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                file.persist(&path)
                    .map_err(|error| error.error)
                    .with_context(|| format!("cannot write `{}`", path.display()))?;
                Ok(())
            }
        }
    }
}

/// A temporary file in `dir` that will take `path`'s name, with the permissions a plain write
/// would leave: those of the file it replaces, else the umask's for a new file (not the
/// owner-only ones of a temporary file).
fn temporary_beside(path: &Path, dir: &Path) -> Result<tempfile::NamedTempFile> {
    let context = || format!("cannot create a file in `{}`", dir.display());
    let replaced = fs_err::metadata(path)
        .ok()
        .map(|metadata| metadata.permissions());
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let file = builder.tempfile_in(dir).with_context(context)?;
    if let Some(permissions) = replaced {
        file.as_file()
            .set_permissions(permissions)
            .with_context(|| format!("cannot keep the permissions of `{}`", path.display()))?;
    }
    Ok(file)
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::Special(out) => out.write(buf),
            Output::File { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Special(out) => out.flush(),
            Output::File { file, .. } => file.flush(),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs_err::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn write(path: &Path, text: &str) {
        let mut output = Output::open(Some(path)).unwrap();
        output.write_all(text.as_bytes()).unwrap();
        output.finish().unwrap();
    }

    #[test]
    fn a_written_file_has_the_permissions_a_plain_write_gives() {
        let dir = tempfile::tempdir().unwrap();
        // A new file: as `File::create` makes one under the same umask, not owner-only.
        let plain = dir.path().join("plain");
        fs_err::File::create(&plain).unwrap();
        let report = dir.path().join("report.html");
        write(&report, "one");
        assert_eq!(mode(&report), mode(&plain));
        assert_eq!(fs_err::read_to_string(&report).unwrap(), "one");

        // A replaced file keeps its own.
        for wanted in [0o640, 0o604] {
            fs_err::set_permissions(&report, std::fs::Permissions::from_mode(wanted)).unwrap();
            write(&report, "two");
            assert_eq!(mode(&report), wanted);
            assert_eq!(fs_err::read_to_string(&report).unwrap(), "two");
        }
    }
}
