/**
 * Chinese provinces and major cities for spotting a location inside a company name
 * (青岛海智… or 海智…（青岛）…). Compact on purpose: all provincial-level divisions and the
 * prefecture-level cities that register most firms; county-level places are left out because
 * many of them are also common trade-name words.
 */

/** Provincial-level divisions with the suffix each is written with in full. */
export const PROVINCES: ReadonlyArray<readonly [name: string, suffix: string]> = [
  ["北京", "市"], ["天津", "市"], ["上海", "市"], ["重庆", "市"],
  ["河北", "省"], ["山西", "省"], ["辽宁", "省"], ["吉林", "省"], ["黑龙江", "省"], ["江苏", "省"], ["浙江", "省"],
  ["安徽", "省"], ["福建", "省"], ["江西", "省"], ["山东", "省"], ["河南", "省"], ["湖北", "省"], ["湖南", "省"],
  ["广东", "省"], ["海南", "省"], ["四川", "省"], ["贵州", "省"], ["云南", "省"], ["陕西", "省"], ["甘肃", "省"],
  ["青海", "省"], ["台湾", "省"],
  ["内蒙古", "自治区"], ["广西", "壮族自治区"], ["西藏", "自治区"], ["宁夏", "回族自治区"], ["新疆", "维吾尔自治区"],
  ["香港", "特别行政区"], ["澳门", "特别行政区"],
]

/** Major prefecture-level cities (written with 市 in full). */
export const CITIES: ReadonlyArray<string> = [
  "石家庄", "唐山", "保定", "邯郸", "廊坊", "沧州", "太原", "大同", "沈阳", "大连", "鞍山", "长春", "哈尔滨", "大庆",
  "南京", "苏州", "无锡", "常州", "南通", "徐州", "扬州", "镇江", "泰州", "盐城", "连云港", "淮安", "宿迁",
  "杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州", "舟山", "衢州", "丽水",
  "合肥", "芜湖", "蚌埠", "马鞍山", "安庆", "福州", "厦门", "泉州", "漳州", "莆田", "南昌", "赣州", "九江",
  "济南", "青岛", "烟台", "潍坊", "淄博", "威海", "临沂", "济宁", "泰安", "日照", "东营", "德州", "聊城", "滨州", "菏泽", "枣庄",
  "郑州", "洛阳", "开封", "新乡", "南阳", "许昌", "武汉", "宜昌", "襄阳", "十堰", "长沙", "株洲", "湘潭", "岳阳", "衡阳", "常德",
  "广州", "深圳", "珠海", "汕头", "佛山", "东莞", "中山", "惠州", "江门", "湛江", "肇庆", "茂名",
  "南宁", "柳州", "桂林", "海口", "三亚", "成都", "绵阳", "德阳", "宜宾", "泸州", "贵阳", "遵义", "昆明", "曲靖", "拉萨",
  "西安", "宝鸡", "咸阳", "榆林", "兰州", "西宁", "银川", "乌鲁木齐", "呼和浩特", "包头", "鄂尔多斯",
]

/** Places that only count as a location inside brackets: "西门子（中国）" yes, but 中国联通 keeps its 中国. */
export const BRACKET_ONLY: ReadonlyArray<string> = ["中国", "中国大陆", "大陆"]
