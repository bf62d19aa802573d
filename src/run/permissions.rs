//! What a script may do, from Deno's permission flags: which libraries it
//! may open (`--allow-ffi`, the binding's policy), which files it may read
//! and write (`--allow-read`, `--allow-write`), which environment variables
//! it may use (`--allow-env`), and what `Deno.permissions.query` answers.
//! A path is checked as the file it resolves to (against the working
//! directory, `..` and every existing symlink followed), so a name can never
//! reach the system loader's search or point outside through a link; for a
//! library that resolved file is what gets loaded.

use super::modules::normalize;
use ffic_deno::{Policy, Refusal};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The permissions Deno has, as `Deno.permissions.query` names them.
pub const NAMES: [&str; 8] = ["read", "write", "net", "env", "sys", "run", "ffi", "import"];

/// What the flags granted: per permission name, everything (an empty list)
/// or the listed paths, variables or hosts; a name absent grants nothing.
pub type Grants = BTreeMap<&'static str, Vec<String>>;

/// The grants with paths resolved, and what has been refused so far.
#[derive(Default)]
struct Granted {
    /// Per permission: `None` for all, else the resolved paths or names.
    grants: BTreeMap<&'static str, Option<Vec<String>>>,
    /// Refused requests: (permission, the path or name, if any).
    refused: BTreeSet<(&'static str, Option<String>)>,
    /// The grants a test's own permissions replaced ([`push`]).
    stack: Vec<BTreeMap<&'static str, Option<Vec<String>>>>,
}

thread_local! {
    static GRANTED: RefCell<Granted> = RefCell::new(Granted::default());
    /// Whether the next refusal prints Deno's hint about permission flags
    /// written after the script.
    static HINT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Arms Deno's hint: given at the first refusal when no permission was
/// granted, not quiet, and the script's arguments look like permission
/// flags.
pub fn set_hint(armed: bool) {
    HINT.with(|h| h.set(armed));
}

/// Remembers a refusal (for `Deno.permissions.query`), giving the hint if
/// armed.
fn note_refusal(granted: &mut Granted, name: &'static str, item: Option<&str>) {
    granted.refused.insert((name, item.map(str::to_owned)));
    if HINT.with(|h| h.replace(false)) {
        eprintln!(
            "Permission flags have likely been incorrectly set after the script argument.\n\
             To grant permissions, set them before the script argument. For example:\n    \
             deno run --allow-read=. main.js"
        );
    }
}

/// Whether the grant of `name` covers paths (rather than names).
fn is_path_permission(name: &str) -> bool {
    matches!(name, "read" | "write" | "ffi")
}

/// Sets what the flags granted (paths resolved now, as Deno resolves them
/// at start-up).
pub fn set(grants: &Grants) {
    let grants = grants
        .iter()
        .map(|(&name, list)| (name, (!list.is_empty()).then(|| resolved_items(name, list))))
        .collect();
    GRANTED.with(|g| {
        *g.borrow_mut() = Granted {
            grants,
            ..Granted::default()
        }
    });
}

/// A grant's paths resolved (names as they are).
fn resolved_items(name: &str, items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|item| match is_path_permission(name) {
            true => resolved(Path::new(item)).display().to_string(),
            false => item.clone(),
        })
        .collect()
}

/// What Deno says when a test asks for more than the run was granted.
const ESCALATION: &str = "Can't escalate parent thread permissions";

/// Replaces the grants, until [`pop`], with a test's `permissions` (Deno's
/// object as JSON: per name `true`, `false`, `"inherit"` or a list; names
/// left out are not granted), each no wider than the current grant.
pub fn push(json: &str) -> Result<(), String> {
    use serde_json::Value;
    let requested: serde_json::Map<String, Value> =
        serde_json::from_str(json).map_err(|_| "Invalid test permissions".to_owned())?;
    GRANTED.with(|g| {
        let mut granted = g.borrow_mut();
        let mut next = BTreeMap::new();
        for name in NAMES {
            match requested.get(name) {
                None | Some(Value::Bool(false)) => {}
                Some(Value::String(s)) if s == "inherit" => {
                    if let Some(grant) = granted.grants.get(name) {
                        next.insert(name, grant.clone());
                    }
                }
                Some(Value::Bool(true)) if matches!(granted.grants.get(name), Some(None)) => {
                    next.insert(name, None);
                }
                Some(Value::Array(items)) => {
                    let items: Vec<String> = items
                        .iter()
                        .map(|item| item.as_str().map(str::to_owned).ok_or(ESCALATION))
                        .collect::<Result<_, _>>()?;
                    if !items.iter().all(|item| covers(&granted, name, Some(item))) {
                        return Err(ESCALATION.to_owned());
                    }
                    next.insert(name, Some(resolved_items(name, &items)));
                }
                Some(_) => return Err(ESCALATION.to_owned()),
            }
        }
        let previous = std::mem::replace(&mut granted.grants, next);
        granted.stack.push(previous);
        Ok(())
    })
}

/// Restores the grants the last [`push`] replaced.
pub fn pop() {
    GRANTED.with(|g| {
        let mut granted = g.borrow_mut();
        if let Some(previous) = granted.stack.pop() {
            granted.grants = previous;
        }
    });
}

/// `path` made absolute against the working directory, `.` and `..` resolved.
fn absolute(path: &Path) -> PathBuf {
    normalize(&std::env::current_dir().unwrap_or_default().join(path))
}

/// `path` absolute with every symlink of its longest existing prefix
/// followed (the rest, which does not exist yet, as written).
pub fn resolved(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            return rest.iter().rev().fold(real, |p, part| p.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Whether `name` is granted for `item` (a path for read, write and ffi;
/// a variable for env), or for everything when `item` is `None`.
fn covers(granted: &Granted, name: &str, item: Option<&str>) -> bool {
    match granted.grants.get(name) {
        None => false,
        Some(None) => true,
        Some(Some(list)) => match item {
            None => false,
            Some(item) if is_path_permission(name) => {
                let path = resolved(Path::new(item));
                list.iter().any(|dir| path.starts_with(dir))
            }
            Some(item) => list.iter().any(|granted| granted == item),
        },
    }
}

/// Checks `name` for `item` (see [`covers`]); a refusal is remembered (for
/// `Deno.permissions.query`) and comes back as the message Deno gives.
pub fn check(name: &'static str, item: Option<&str>) -> Result<(), String> {
    match item {
        Some(item) => check_as(name, item, item),
        None => check_item(name, None, None),
    }
}

/// [`check`] for `item`, named `shown` if refused (Deno names the system's
/// temporary directory [`TEMP_DIR`]).
pub fn check_as(name: &'static str, item: &str, shown: &str) -> Result<(), String> {
    check_item(name, Some(item), Some(shown))
}

fn check_item(name: &'static str, item: Option<&str>, shown: Option<&str>) -> Result<(), String> {
    GRANTED.with(|g| {
        let mut granted = g.borrow_mut();
        if covers(&granted, name, item) {
            return Ok(());
        }
        note_refusal(&mut granted, name, item);
        let what = match shown {
            None => String::new(),
            Some(TEMP_DIR) => format!(" to {TEMP_DIR}"),
            Some(item) => format!(" to \"{item}\""),
        };
        Err(format!(
            "Requires {name} access{what}, run again with the --allow-{name} flag"
        ))
    })
}

/// How a refusal to write in the system's temporary directory names it.
pub const TEMP_DIR: &str = "<TMP>";

/// Remembers a refusal made elsewhere (the FFI binding's).
pub fn refused(name: &'static str, item: Option<&str>) {
    GRANTED.with(|g| note_refusal(&mut g.borrow_mut(), name, item));
}

/// `Deno.permissions.query`: "granted", "denied" (refused already, without
/// a prompt to ask again) or "prompt".
pub fn query(name: &'static str, item: Option<&str>) -> &'static str {
    GRANTED.with(|g| {
        let granted = g.borrow();
        if covers(&granted, name, item) {
            return "granted";
        }
        let denied = granted.refused.iter().any(|(n, refused)| {
            *n == name
                && match (item, refused) {
                    (None, _) => true,
                    (Some(_), None) => true,
                    (Some(item), Some(refused)) if is_path_permission(name) => {
                        resolved(Path::new(item)).starts_with(resolved(Path::new(refused)))
                    }
                    (Some(item), Some(refused)) => item == refused,
                }
        });
        if denied { "denied" } else { "prompt" }
    })
}

/// The policy `ffic run` gives the binding: Deno's `--allow-ffi`.
pub struct FfiFlags;

impl Policy for FfiFlags {
    fn pointers(&self) -> bool {
        ffi_unrestricted()
    }

    fn callbacks(&self) -> bool {
        ffi_unrestricted()
    }

    fn refused(&self, _: &str, item: Option<&str>) {
        refused("ffi", item);
    }

    fn library(&self, path: &str) -> Result<PathBuf, Refusal> {
        GRANTED.with(|g| match g.borrow().grants.get("ffi") {
            // Unrestricted, the name goes to the system loader as given
            // (searched when bare, the main program when empty), as in Deno.
            Some(None) => Ok(PathBuf::from(path)),
            _ if path.is_empty() => Err(Refusal::Invalid("Empty path is not allowed".into())),
            None => Err(Refusal::NotCapable(path.to_owned())),
            Some(Some(list)) => within(list, path),
        })
    }
}

/// The file `path` (not empty) names, if it lies under one of `list`
/// (resolved paths).
fn within(list: &[String], path: &str) -> Result<PathBuf, Refusal> {
    let absolute = absolute(Path::new(path));
    let covered = |p: &Path| list.iter().any(|dir| p.starts_with(dir));
    // Refused, the path is named as given, `.` and `..` resolved, as Deno
    // names it (never a link's target: that would tell the script where
    // links outside its reach point).
    let named = || normalize(Path::new(path)).display().to_string();
    match std::fs::canonicalize(&absolute) {
        Ok(file) if covered(&file) => Ok(file),
        Ok(_) => Err(Refusal::NotCapable(named())),
        // Nothing to load: the loader's error, without asking it, since a
        // file appearing later would not have been checked.
        Err(e) if covered(&absolute) => Err(Refusal::Invalid(format!(
            "Could not open library: Could not open library: {}: cannot open shared object file: {}",
            absolute.display(),
            os_message(&e)
        ))),
        Err(_) => Err(Refusal::NotCapable(named())),
    }
}

/// An I/O error as `strerror` words it (Rust adds " (os error N)").
fn os_message(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// Whether FFI is allowed unrestricted (what Deno asks for pointers, views,
/// function pointers and callbacks: `--allow-ffi=PATH` is not enough).
pub fn ffi_unrestricted() -> bool {
    GRANTED.with(|g| matches!(g.borrow().grants.get("ffi"), Some(None)))
}
