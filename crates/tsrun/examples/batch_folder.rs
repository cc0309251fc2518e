//! Batch inference over a folder of `.npy` files: every `NAME.npy` in the input folder is
//! run through `forward` and the result written to `OUT/NAME.npy`.
//!
//! ```sh
//! cargo run -p tsrun --example batch_folder -- fixtures/seed/mlp_traced.pt IN_DIR OUT_DIR
//! ```
//!
//! Without folders, it makes a demo input folder of three random `[4, 2]` batches in the
//! system's temp directory and writes the results next to it.
//!
//! `.npy` files are read and written with the `npyz` crate; float32 inputs only, to keep the
//! example short (the `tsrun` CLI reads every dtype: see `tsrun_cli::npy_io`).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use npyz::WriterBuilder;
use tsrun::{Module, Tensor};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let model = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "fixtures/seed/mlp_traced.pt".to_string());
    let (input_dir, output_dir) = match (args.get(2), args.get(3)) {
        (Some(i), Some(o)) => (PathBuf::from(i), PathBuf::from(o)),
        _ => make_demo_inputs()?,
    };

    let module = Module::load(&model)?;
    std::fs::create_dir_all(&output_dir)?;

    let mut files: Vec<PathBuf> = std::fs::read_dir(&input_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "npy"))
        .collect();
    files.sort();

    for path in &files {
        let x = read_f32(path)?;
        let y = module.forward(vec![x.clone().into()])?;
        let y: Tensor = y.try_into()?;
        let out = output_dir.join(path.file_name().ok_or("no file name")?);
        write_f32(&out, &y)?;
        println!(
            "{} {:?} -> {} {:?}",
            path.display(),
            x.shape(),
            out.display(),
            y.shape()
        );
    }
    println!("{} file(s) done", files.len());
    Ok(())
}

/// A float32 `.npy` file as a tensor.
fn read_f32(path: &Path) -> Result<Tensor> {
    let npy = npyz::NpyFile::new(BufReader::new(File::open(path)?))?;
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    if npy.order() != npyz::Order::C {
        return Err(format!(
            "{}: Fortran-order arrays are not handled here",
            path.display()
        )
        .into());
    }
    let data: Vec<f32> = npy
        .into_vec()
        .map_err(|e| format!("{}: {e} (this example reads float32 only)", path.display()))?;
    Ok(Tensor::from_vec(data, &shape)?)
}

/// Writes a float32 tensor as `.npy` (the view handles any strides).
fn write_f32(path: &Path, t: &Tensor) -> Result<()> {
    let view = t.as_array_view::<f32>()?;
    let shape: Vec<u64> = view.shape().iter().map(|&d| d as u64).collect();
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&shape)
        .writer(std::io::BufWriter::new(File::create(path)?))
        .begin_nd()?;
    writer.extend(view.iter().copied())?;
    writer.finish()?;
    Ok(())
}

/// Three `[4, 2]` float32 batches in a fresh temp folder; returns (inputs, outputs) folders.
fn make_demo_inputs() -> Result<(PathBuf, PathBuf)> {
    let root = std::env::temp_dir().join(format!("tsrun-batch-demo-{}", std::process::id()));
    let inputs = root.join("in");
    std::fs::create_dir_all(&inputs)?;
    for i in 0..3 {
        let data: Vec<f32> = (0..8).map(|k| (k as f32 - 4.0) * 0.25 + i as f32).collect();
        write_f32(
            &inputs.join(format!("batch{i}.npy")),
            &Tensor::from_vec(data, &[4, 2])?,
        )?;
    }
    Ok((inputs, root.join("out")))
}
