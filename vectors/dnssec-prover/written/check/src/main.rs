// dnssec-core interop check (issue 9): does dnssec-prover read the RFC 9102 chains that
// dnssec_core.evidence.chain.encode_chain writes, and write back the very same octets?
// stdin: one chain per line, "HEX TTL,TTL,..." (the TTL of each RR, which parse_rr_stream does
// not return).  stdout per line: "same N HEX" (N RRs; HEX = dnssec-prover's own serialisation),
// "differs N at OFFSET ...", "count ..." or "parse-error".  Our code, not dnssec-prover's.
use std::io::BufRead;
use dnssec_prover::ser::{parse_rr_stream, write_rr};
fn unhex(s: &str) -> Vec<u8> { (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i+2], 16).unwrap()).collect() }
fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let mut parts = line.split(' ');
        let data = unhex(parts.next().unwrap());
        let ttls: Vec<u32> = parts.next().unwrap_or("").split(',').filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
        match parse_rr_stream(&data) {
            Err(()) => println!("parse-error"),
            Ok(rrs) => {
                if rrs.len() != ttls.len() { println!("count {} != {}", rrs.len(), ttls.len()); continue; }
                let mut out = Vec::new();
                for (rr, ttl) in rrs.iter().zip(ttls.iter()) { write_rr(rr, *ttl, &mut out); }
                if out == data { println!("same {} {}", rrs.len(), out.iter().map(|b| format!("{:02x}", b)).collect::<String>()) } else { let i = out.iter().zip(data.iter()).position(|(a,b)| a!=b).unwrap_or(out.len().min(data.len())); println!("differs {} at {} ours {} theirs {}", rrs.len(), i, data[i.saturating_sub(8)..(i+24).min(data.len())].iter().map(|b| format!("{:02x}",b)).collect::<String>(), out[i.saturating_sub(8)..(i+24).min(out.len())].iter().map(|b| format!("{:02x}",b)).collect::<String>()) }
            }
        }
    }
}
