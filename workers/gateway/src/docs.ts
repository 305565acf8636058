/**
 * The interactive API reference: a self-contained page (no CDN, no network but this origin) that
 * renders /openapi.json, and lets you try any operation with your bearer token.
 */
export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Edge Finance API reference</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
header{background:#14213d;color:#fff;padding:14px 24px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0;flex:1}header input{width:360px;padding:6px;border-radius:4px;border:0}
main{max-width:1100px;margin:0 auto;padding:16px 24px}h2{border-bottom:1px solid #ccd;padding-bottom:4px;text-transform:capitalize}
details{background:#fff;border:1px solid #dde;border-radius:6px;margin:8px 0}summary{padding:8px 12px;cursor:pointer;display:flex;gap:10px;align-items:center}
.m{font:bold 12px monospace;padding:2px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#2a7ae2}.post{background:#23a55a}.patch{background:#d68a00}.delete{background:#d33}.put{background:#8a4bd6}
.p{font-family:monospace}.s{color:#667}.body{padding:8px 16px 16px}pre{background:#0f172a;color:#e2e8f0;padding:10px;border-radius:6px;overflow:auto;max-height:360px}
textarea{width:100%;min-height:90px;font-family:monospace}button{background:#14213d;color:#fff;border:0;padding:6px 14px;border-radius:4px;cursor:pointer}
.lock{font-size:12px;color:#a15c00}label{display:block;margin:4px 0}
</style></head><body>
<header><h1>Edge Finance API</h1><input id="token" placeholder="Bearer token for Try it"></header>
<main id="app">Loading the OpenAPI document…</main>
<script>
const el=(t,a={},...c)=>{const e=document.createElement(t);Object.assign(e,a);for(const x of c)e.append(x);return e};
function resolve(doc,s){while(s&&s.$ref){s=doc.components.schemas[s.$ref.split('/').pop()]}return s||{}}
function example(doc,s,d=0){s=resolve(doc,s);if(d>4)return null;if(s.example!==undefined)return s.example;
if(s.type==='object'||s.properties){const o={};for(const[k,v]of Object.entries(s.properties||{}))if((s.required||[]).includes(k))o[k]=example(doc,v,d+1);return o}
if(s.type==='array')return[example(doc,s.items,d+1)];if(s.enum)return s.enum[0];if(s.anyOf||s.oneOf)return example(doc,(s.anyOf||s.oneOf)[0],d+1);
return s.type==='integer'||s.type==='number'?0:s.type==='boolean'?false:'string'}
function op(doc,path,method,o){
 const body=el('div',{className:'body'});const d=el('details',{},el('summary',{},el('span',{className:'m '+method,textContent:method.toUpperCase()}),el('span',{className:'p',textContent:path}),el('span',{className:'s',textContent:o.summary||''}),o.security?el('span',{className:'lock',textContent:'bearer '+(o.security[0].bearer||[]).join(' ')}):''),body);
 const params=(o.parameters||[]).map(p=>{const i=el('input',{placeholder:p.name});i.dataset.in=p.in;i.dataset.name=p.name;return el('label',{},p.name+' ('+p.in+(p.required?', required':'')+') ',i)});
 body.append(...params);let ta;const content=o.requestBody&&o.requestBody.content;
 if(content){const [type,media]=Object.entries(content)[0];ta=el('textarea');ta.value=type.includes('json')?JSON.stringify(example(doc,media.schema),null,2):'';ta.dataset.type=type;body.append(el('div',{textContent:'Body ('+type+')'}),ta)}
 const out=el('pre',{textContent:'Responses: '+Object.keys(o.responses||{}).join(', ')});
 const btn=el('button',{textContent:'Try it',onclick:async()=>{let url=path;const q=new URLSearchParams();
  for(const l of params){const i=l.querySelector('input');if(!i.value)continue;if(i.dataset.in==='path')url=url.replace('{'+i.dataset.name+'}',encodeURIComponent(i.value));else if(i.dataset.in==='query')q.set(i.dataset.name,i.value)}
  const h={};const t=document.getElementById('token').value.trim();if(t)h.Authorization='Bearer '+t;if(ta){h['Content-Type']=ta.dataset.type}
  if(method==='post'&&path==='/v1/payments')h['Idempotency-Key']=crypto.randomUUID();
  const r=await fetch(url+(q.size?'?'+q:''),{method:method.toUpperCase(),headers:h,body:ta?ta.value:undefined});
  const txt=await r.text();let shown=txt;try{shown=JSON.stringify(JSON.parse(txt),null,2)}catch{}out.textContent=r.status+' '+r.statusText+'\\n'+shown}});
 body.append(btn,out);return d}
fetch('/openapi.json').then(r=>r.json()).then(doc=>{const app=document.getElementById('app');app.textContent='';
 const groups={};for(const[path,ops]of Object.entries(doc.paths))for(const[m,o]of Object.entries(ops)){const tag=(o.tags||['platform'])[0];(groups[tag]??=[]).push([path,m,o])}
 app.append(el('p',{textContent:doc.info.description}));
 for(const[tag,list]of Object.entries(groups)){app.append(el('h2',{textContent:tag}));for(const[p,m,o]of list)app.append(op(doc,p,m,o))}
 document.title=doc.info.title+' reference'}).catch(e=>{document.getElementById('app').textContent='Could not load /openapi.json: '+e});
</script></body></html>`;
