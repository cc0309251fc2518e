//! The pieces of the `tsrun` command-line tool that are worth sharing and testing on their own.
//!
//! The binary (`src/main.rs`) is only argument parsing and exit codes; everything it does with
//! inputs and outputs lives here so that the conformance tests in the root package build inputs
//! and flatten results with exactly the same code:
//!
//! * [`spec`]: the `--input SPEC` syntax (a `.npy` path, `zeros:2,3`-style generators, JSON
//!   literals) and turning a spec into a [`tsrun::Value`];
//! * [`coerce`]: adjusting literal inputs to a method's declared parameter types (`1` for a
//!   `float` parameter);
//! * [`list_tensor`]: a JSON number list given for a `Tensor` parameter, as `torch.tensor`;
//! * [`fill`]: the `zeros`/`ones`/`rand`/`randn` tensors;
//! * [`array`](mod@array): [`array::NdArray`], a plain n-d array, and its conversion to and from tensors;
//! * [`npy_io`]: reading `.npy`/`.npz` files and writing `np.savez`-layout `.npz` files;
//! * [`output`]: flattening a result into the leaves written to `--output`;
//! * [`bench`](mod@bench): `--bench N` timing (batched per-call medians);
//! * [`inspect_view`]: the text and JSON reports of `tsrun inspect`.

pub mod array;
pub mod bench;
pub mod coerce;
pub mod fill;
pub mod inspect_view;
pub mod list_tensor;
pub mod npy_io;
pub mod output;
pub mod spec;
