function t(e){return new Date(e).toLocaleString("en-GB",{timeZone:"Africa/Lagos",day:"numeric",month:"short",year:"numeric",hour:"2-digit",minute:"2-digit"})}export{t as l};
