// Package seal turns Kubernetes Secrets into bitnami SealedSecrets that the
// sealed-secrets controller decrypts, manages the project's dev sealing key
// pair (which `emmdev up` installs as the controller's key so sealed files in
// git keep decrypting after a cluster is recreated), and verifies sealed files
// with or without the private key.
//
// All encryption and decryption goes through the sealed-secrets library
// (pkg/apis/sealedsecrets/v1alpha1 and pkg/crypto); this package only decides
// what to seal, with which key, and how to report it. Nothing here ever prints,
// logs or returns a plaintext value in an error.
package seal
