// Every fuzz target by name, in the order `all` runs them.
import type { Target } from '../target.js';
import { dwarf } from './dwarf.js';
import { btf, btfC, elf, ko, ksymtab, modinfo, versions, versionsFile, vmlinux } from './elf.js';
import { http } from './http.js';
import { bzimage, rawImage } from './images.js';
import { cpio, deb, gzip, rpm, tar, xz, xzThreads, zstd } from './packages.js';
import {
  changelog,
  kernelConfig,
  kernelExports,
  policy,
  rpmProvidesTarget,
  stablelist,
  symvers,
  symversRoundTrip,
  ubuntuAbiTarget,
} from './text.js';

export const TARGETS: readonly Target[] = [
  symvers,
  symversRoundTrip,
  rpmProvidesTarget,
  ubuntuAbiTarget,
  kernelExports,
  stablelist,
  policy,
  changelog,
  kernelConfig,
  elf,
  ko,
  ksymtab,
  modinfo,
  versions,
  versionsFile,
  vmlinux,
  btf,
  btfC,
  bzimage,
  rawImage,
  deb,
  rpm,
  tar,
  cpio,
  xz,
  xzThreads,
  zstd,
  gzip,
  http,
  dwarf,
];

export function targetNamed(name: string): Target | undefined {
  return TARGETS.find((t) => t.name === name);
}
