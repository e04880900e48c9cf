// Where to link libchorusacct from: CHORUSACCT_LIBDIR (a folder, such as
// a build tree's lib/), else what pkg-config says (PKG_CONFIG_PATH for a
// private prefix), else the system's folders. The folder is also put in
// the program's RUNPATH, so that it runs without LD_LIBRARY_PATH.
use std::env;
use std::process::Command;

fn pkg_config_libdir() -> Option<String> {
    let out = Command::new("pkg-config")
        .args(["--variable=libdir", "libchorusacct"])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = String::from_utf8(out.stdout).ok()?.trim().to_string();
    if dir.is_empty() {
        None
    } else {
        Some(dir)
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=CHORUSACCT_LIBDIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let libdir = env::var("CHORUSACCT_LIBDIR")
        .ok()
        .or_else(pkg_config_libdir);
    if let Some(dir) = libdir {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
