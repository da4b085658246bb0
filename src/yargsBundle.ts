// yargs, bundled on its own (dist/yargsBundle.js, see package.json) and loaded only for the command lines the lean
// parser leaves to it (--help, anything unusual). Its own bundle holds yargs alone: mfa-env's modules (and so its
// error classes, which are told apart by `instanceof`) exist once, in main.js.
import yargs from 'yargs/yargs';

export { yargs };
