//! Compiles the Cap'n Proto schemas with capnpc (the `capnp` tool from Debian's `capnproto`).
fn main() {
    capnpc::CompilerCommand::new()
        .src_prefix("schema")
        .file("schema/sched.capnp")
        .file("schema/node.capnp")
        .run()
        .expect(
            "compiling the Cap'n Proto schemas (is `capnp` installed? apt-get install capnproto)",
        );
    println!("cargo:rerun-if-changed=schema");
}
